import { InvalidArgumentError, type Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey, ROLE_PURPOSE, ROLES, type Role } from '@cvp/auth';
import { createPrismaClient } from '@cvp/db';

/** The key every HTTP call of the CLI sends (`Authorization: Bearer`): CVP_API_KEY, made by `cvp keys create`. */
export function authHeaders(): Record<string, string> {
  const key = process.env.CVP_API_KEY;
  return key ? { authorization: `Bearer ${key}` } : {};
}

const role = (value: string): Role => {
  if (!(ROLES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${ROLES.join(', ')}`);
  return value as Role;
};
const whole = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
};
const databaseOption = [
  '--database <url>',
  'PostgreSQL URL',
  process.env.DATABASE_URL ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp',
] as const;

async function withDatabase<T>(url: string, work: (prisma: ReturnType<typeof createPrismaClient>) => Promise<T>) {
  const prisma = createPrismaClient(url);
  try {
    return await work(prisma);
  } finally {
    await prisma.$disconnect();
  }
}

/** `cvp keys create | list | revoke`: API keys, straight in PostgreSQL (the bootstrap: no key is needed to make one). */
export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description(`API keys of the HTTP APIs. Roles: ${ROLES.map((r) => `${r} (${ROLE_PURPOSE[r]})`).join('; ')}`);
  keys
    .command('create')
    .description('create a key; prints what it is, then the key alone on the last line (shown this once)')
    .requiredOption('--role <role>', ROLES.join(' | '), role)
    .option('--name <name>', 'what the key is for, e.g. "checkout producer"')
    .option('--expires-in-days <n>', 'the key stops working after this many days', whole)
    .option('--rate-limit <n>', "requests per second (default: the role's, API_RATE_LIMITS)", whole)
    .option(...databaseOption)
    .action(
      async (options: { role: Role; name?: string; expiresInDays?: number; rateLimit?: number; database: string }) => {
        const created = await withDatabase(options.database, (prisma) =>
          createApiKey(prisma, {
            role: options.role,
            name: options.name,
            expiresAt: options.expiresInDays ? new Date(Date.now() + options.expiresInDays * 86_400_000) : undefined,
            rateLimitPerSecond: options.rateLimit,
          }),
        );
        const { key, ...described } = created;
        console.log(`# ${JSON.stringify(described)}`);
        console.log(key);
      },
    );
  keys
    .command('list')
    .description('every key: id, name, role, prefix, limits, created, expires, revoked (never the key)')
    .option(...databaseOption)
    .action(async (options: { database: string }) => {
      const rows = await withDatabase(options.database, listApiKeys);
      for (const row of rows) console.log(JSON.stringify(row));
    });
  keys
    .command('revoke')
    .description(
      'revoke a key by its id or prefix (cvp_ + 8 characters); services stop taking it within API_KEY_CACHE_SECONDS',
    )
    .argument('<id-or-prefix>')
    .option(...databaseOption)
    .action(async (idOrPrefix: string, options: { database: string }) => {
      const revoked = await withDatabase(options.database, (prisma) => revokeApiKey(prisma, idOrPrefix));
      if (!revoked) {
        console.error(`no key ${idOrPrefix}`);
        process.exitCode = 1;
        return;
      }
      console.log(JSON.stringify(revoked));
    });
}
