import type { FieldError } from './figures';

/** The key lives in this tab's session storage only: closing the tab signs out, other sites never see it. */
const KEY_STORAGE = 'cvp.console.key';

export const storedKey = (): string | null => sessionStorage.getItem(KEY_STORAGE);
export const storeKey = (key: string | null): void =>
  key === null ? sessionStorage.removeItem(KEY_STORAGE) : sessionStorage.setItem(KEY_STORAGE, key);

/** An answer other than 2xx: its status, the API's message and, for a 400, its field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

/**
 * Calls the console (`/v1/console/...`) or a service through it (`/api/<service>/v1/...`) with the signed-in key.
 * Paths are relative to the page, so the console works under any base path.
 */
export async function api<T>(path: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<T> {
  const key = init.key ?? storedKey();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path.replace(/^\//, ''), {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  const json = text ? safeJson(text) : null;
  if (!response.ok) {
    const body = (json ?? {}) as { message?: unknown; errors?: FieldError[] };
    const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? response.statusText);
    throw new ApiError(response.status, message, Array.isArray(body.errors) ? body.errors : []);
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 300) };
  }
}

export type Role = 'producer' | 'reader' | 'marketer' | 'admin';
export const canEditCampaigns = (role: Role) => role === 'marketer' || role === 'admin';
export const canTrain = (role: Role) => role === 'admin';
