/** The one method `checkDatabase` needs; a PrismaClient or PrismaService fits. */
export interface RawQueryRunner {
  $queryRawUnsafe(query: string): PromiseLike<unknown>;
}

/**
 * Runs `SELECT 1`; rejects when it fails or takes longer than `timeoutMs` (the query itself is not cancelled).
 * For readiness probes.
 */
export async function checkDatabase(prisma: RawQueryRunner, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([prisma.$queryRawUnsafe('SELECT 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
