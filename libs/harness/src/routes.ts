import { createApiKey, ROLES, type Role } from '@cvp/auth';
import type { PrismaClient } from '@cvp/db';
import type { ServiceName } from './services';

/**
 * Every `/v1` route of every service with the role it asks for: the table the end-to-end auth matrix checks the
 * services against (the services' own truth is their `@RequireRole` decorators), and how test and benchmark clients
 * pick the least-privileged key for a request.
 */
export const API_ROUTES: { service: ServiceName; method: string; path: string; role: Role }[] = [
  { service: 'ingest', method: 'POST', path: '/v1/events', role: 'producer' },
  { service: 'scorer', method: 'GET', path: '/v1/customers/{id}/score', role: 'reader' },
  { service: 'scorer', method: 'GET', path: '/v1/customers/{id}/value', role: 'reader' },
  { service: 'scorer', method: 'POST', path: '/v1/scores:batchGet', role: 'reader' },
  { service: 'scorer', method: 'GET', path: '/v1/customers/{id}/recommendations', role: 'reader' },
  { service: 'scorer', method: 'POST', path: '/v1/recommendations:batchGet', role: 'reader' },
  { service: 'scorer', method: 'GET', path: '/v1/tiers/summary', role: 'reader' },
  { service: 'scorer', method: 'GET', path: '/v1/sweeps', role: 'reader' },
  { service: 'scorer', method: 'POST', path: '/v1/rescore', role: 'admin' },
  { service: 'trainer', method: 'GET', path: '/v1/models', role: 'reader' },
  { service: 'trainer', method: 'GET', path: '/v1/models/{version}', role: 'reader' },
  { service: 'trainer', method: 'POST', path: '/v1/train', role: 'admin' },
  { service: 'trainer', method: 'DELETE', path: '/v1/customers/{id}', role: 'admin' },
  { service: 'campaigns', method: 'GET', path: '/v1/campaigns', role: 'reader' },
  { service: 'campaigns', method: 'POST', path: '/v1/campaigns', role: 'marketer' },
  { service: 'campaigns', method: 'POST', path: '/v1/campaigns/audience-preview', role: 'reader' },
  { service: 'campaigns', method: 'GET', path: '/v1/campaigns/{id}', role: 'reader' },
  { service: 'campaigns', method: 'PATCH', path: '/v1/campaigns/{id}', role: 'marketer' },
  { service: 'campaigns', method: 'GET', path: '/v1/campaigns/{id}/report', role: 'reader' },
  { service: 'campaigns', method: 'GET', path: '/v1/campaigns/{id}/audience', role: 'reader' },
  { service: 'console', method: 'GET', path: '/v1/console/me', role: 'reader' },
  { service: 'console', method: 'GET', path: '/v1/console/overview', role: 'reader' },
  { service: 'console', method: 'GET', path: '/v1/console/customers/{id}/activity', role: 'reader' },
];

const patterns = API_ROUTES.map((route) => ({
  ...route,
  pattern: new RegExp(
    `^${route.path
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
      .join('[^/]+')}$`,
  ),
}));

/** The role a request needs (null: an open route such as /health or /docs). */
export function roleOf(method: string, pathname: string): Role | null {
  const found = patterns.find((route) => route.method === method.toUpperCase() && route.pattern.test(pathname));
  return found?.role ?? null;
}

/**
 * `fetch` that sends, with every request to a `/v1` route, the key of the role that route asks for (unless the
 * request carries an Authorization header of its own).
 */
export function fetchWithKeys(keys: Partial<Record<Role, string>>): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const role = roleOf(init?.method ?? 'GET', url.pathname);
    const headers = new Headers(init?.headers);
    const key = role ? (keys[role] ?? keys.admin) : undefined;
    if (key && !headers.has('authorization')) headers.set('authorization', `Bearer ${key}`);
    return fetch(input, { ...init, headers });
  };
}

/**
 * Fills `into` with a new key of every role (for a test or benchmark client; limits high enough never to throttle
 * it) and returns it. The keys stay in the table, named after `name`, like any client's.
 */
export async function createKeysForEveryRole(
  prisma: PrismaClient,
  name: string,
  into: Partial<Record<Role, string>> = {},
): Promise<Partial<Record<Role, string>>> {
  for (const role of ROLES) {
    into[role] = (await createApiKey(prisma, { role, name: `${name} ${role}`, rateLimitPerSecond: 1_000_000 })).key;
  }
  return into;
}
