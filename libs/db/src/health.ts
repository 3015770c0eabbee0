/** The one method `checkDatabase` needs; a PrismaClient or PrismaService fits. */
export interface RawQueryRunner {
  $queryRawUnsafe(query: string): PromiseLike<unknown>;
}

/**
 * The newest migration this build's code needs (the last folder of `prisma/migrations`; a unit test keeps them
 * equal). A database without it is not ready: handlers would fail on every record for want of a table or column.
 */
export const LATEST_MIGRATION = '20261201030711_uplift_models_and_decision_policy';

const MIGRATION_QUERY =
  `SELECT count(*)::int AS applied FROM _prisma_migrations ` +
  `WHERE migration_name = '${LATEST_MIGRATION}' AND finished_at IS NOT NULL AND rolled_back_at IS NULL`;

/**
 * Runs `SELECT 1`, then checks that LATEST_MIGRATION is applied; rejects when either fails, when the schema is behind
 * (saying which migration is missing), or when it takes longer than `timeoutMs` (the queries are not cancelled).
 * For readiness probes: a service on a database without its schema stays unready, so its consumers hold their
 * partitions instead of dead-lettering every record.
 */
export async function checkDatabase(prisma: RawQueryRunner, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  const check = async () => {
    await prisma.$queryRawUnsafe('SELECT 1');
    const rows = (await prisma.$queryRawUnsafe(MIGRATION_QUERY).then(
      (result) => result,
      (error: Error) => {
        if (/_prisma_migrations/.test(error.message)) return [{ applied: 0 }];
        throw error;
      },
    )) as { applied: number }[];
    if (!(Number(rows[0]?.applied) > 0)) {
      throw new Error(`database schema is behind: migration ${LATEST_MIGRATION} is not applied (npm run db:migrate)`);
    }
  };
  try {
    await Promise.race([check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
