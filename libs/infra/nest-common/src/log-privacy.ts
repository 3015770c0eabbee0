import { pseudonym } from '@cvp/auth';

const CUSTOMER_PATH = /^(\/v1\/customers\/)([^/?#]+)/;

/**
 * A request URL as the logs keep it: a customer id in the path (`/v1/customers/<id>/...`) replaced by the first 16
 * hex digits of its pseudonym (`~3f9a...`), so request logs can still be correlated per customer but never name one.
 */
export function privateUrl(url: string, key: string): string {
  return url.replace(CUSTOMER_PATH, (_, prefix: string, id: string) => {
    let decoded = id;
    try {
      decoded = decodeURIComponent(id);
    } catch {
      // Not percent-encoded text: the raw segment is the id.
    }
    return `${prefix}~${pseudonym(decoded, key).slice(0, 16)}`;
  });
}

/** What the logs keep of a customer id: the first 16 hex digits of its pseudonym. */
export function logId(customerId: string, key: string): string {
  return `~${pseudonym(customerId, key).slice(0, 16)}`;
}
