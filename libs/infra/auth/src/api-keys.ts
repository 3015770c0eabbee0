import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { PrismaClient } from '@cvp/db';

/** Roles of API keys, from the least to the most trusted. `admin` may call every route. */
export const ROLES = ['producer', 'reader', 'marketer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What each role is for, as the README and `cvp keys` say it. */
export const ROLE_PURPOSE: Record<Role, string> = {
  producer: 'publish clickstream events (ingest)',
  reader: 'read scores, tier totals, sweeps, model versions, campaign reports and audience exports',
  marketer: 'create and change campaigns (and everything a reader may)',
  admin: 'everything: training, re-scoring, keys, erasure, and every other route',
};

/** Whether a key of `held` may call a route that asks for `required`. */
export function allows(held: Role, required: Role): boolean {
  if (held === 'admin' || held === required) return true;
  // A marketer reads what a campaign needs: scores, reports, audiences.
  return held === 'marketer' && required === 'reader';
}

const KEY_PREFIX = 'cvp_';

/** A new key: `cvp_` + 256 random bits, base64url. */
export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** What is stored and looked up: SHA-256, hex. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The part of a key shown in listings and logs. */
export function keyPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 8);
}

/** The shape a key must have before it is worth a lookup. */
export function wellFormed(key: string): boolean {
  return /^cvp_[A-Za-z0-9_-]{43}$/.test(key);
}

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  rateLimitPerSecond: number | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

type Row = {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  rateLimitPerSecond: number | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
};

const view = (row: Row): ApiKeyView => ({
  id: row.id,
  name: row.name,
  role: row.role,
  prefix: row.prefix,
  rateLimitPerSecond: row.rateLimitPerSecond,
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

export interface NewKey {
  role: Role;
  name?: string;
  expiresAt?: Date;
  rateLimitPerSecond?: number;
}

/** Creates a key; the returned `key` exists nowhere else (only its hash is stored). */
export async function createApiKey(prisma: PrismaClient, spec: NewKey): Promise<ApiKeyView & { key: string }> {
  if (!ROLES.includes(spec.role)) throw new Error(`role must be one of ${ROLES.join(', ')}`);
  if (
    spec.rateLimitPerSecond !== undefined &&
    !(Number.isInteger(spec.rateLimitPerSecond) && spec.rateLimitPerSecond > 0)
  )
    throw new Error('rate limit must be a whole number of requests per second, at least 1');
  const key = generateKey();
  const row = await prisma.apiKey.create({
    data: {
      name: spec.name ?? `${spec.role} key`,
      role: spec.role,
      hash: hashKey(key),
      prefix: keyPrefix(key),
      rateLimitPerSecond: spec.rateLimitPerSecond ?? null,
      expiresAt: spec.expiresAt ?? null,
    },
  });
  return { ...view(row), key };
}

export async function listApiKeys(prisma: PrismaClient): Promise<ApiKeyView[]> {
  return (await prisma.apiKey.findMany({ orderBy: { createdAt: 'asc' } })).map(view);
}

/** Revokes by id or prefix; returns the revoked key, or null when none matches. Revoking twice changes nothing. */
export async function revokeApiKey(prisma: PrismaClient, idOrPrefix: string): Promise<ApiKeyView | null> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix);
  const matches = await prisma.apiKey.findMany({ where: isUuid ? { id: idOrPrefix } : { prefix: idOrPrefix } });
  if (matches.length > 1) throw new Error(`${matches.length} keys start with ${idOrPrefix}: revoke by id`);
  const [match] = matches;
  if (!match) return null;
  if (match.revokedAt) return view(match);
  return view(await prisma.apiKey.update({ where: { id: match.id }, data: { revokedAt: new Date() } }));
}

/** A key as the guard needs it: null when unknown, revoked or expired at `now`. */
export interface VerifiedKey {
  id: string;
  role: Role;
  prefix: string;
  rateLimitPerSecond: number | null;
}

export async function findUsableKey(prisma: PrismaClient, key: string, now = new Date()): Promise<VerifiedKey | null> {
  if (!wellFormed(key)) return null;
  const row = await prisma.apiKey.findUnique({ where: { hash: hashKey(key) } });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
  return { id: row.id, role: row.role, prefix: row.prefix, rateLimitPerSecond: row.rateLimitPerSecond };
}

/**
 * A customer's pseudonym: HMAC-SHA256 of the id under a secret key (`PSEUDONYM_KEY`), hex. Stable for one key, so an
 * erased customer can be recognised without keeping their id; useless without the key.
 */
export function pseudonym(customerId: string, key: string): string {
  return createHmac('sha256', key).update(customerId, 'utf8').digest('hex');
}
