import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkDatabase, LATEST_MIGRATION, type RawQueryRunner } from './health';

/** A database that answers SELECT 1 with `result` and the migration check with `applied` rows. */
const answering = (result: Promise<unknown>, applied = 1): RawQueryRunner & { queries: string[] } => {
  const queries: string[] = [];
  return {
    queries,
    $queryRawUnsafe: (query: string) => {
      queries.push(query);
      return query === 'SELECT 1' ? result : Promise.resolve([{ applied }]);
    },
  };
};

describe('checkDatabase', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves once SELECT 1 answers and the newest migration is applied', async () => {
    const prisma = answering(Promise.resolve([{ '?column?': 1 }]));
    await expect(checkDatabase(prisma, 1000)).resolves.toBeUndefined();
    expect(prisma.queries[0]).toBe('SELECT 1');
    expect(prisma.queries[1]).toContain(LATEST_MIGRATION);
  });

  it('rejects, naming the migration, when the schema is behind', async () => {
    await expect(checkDatabase(answering(Promise.resolve([]), 0), 1000)).rejects.toThrow(
      `database schema is behind: migration ${LATEST_MIGRATION} is not applied (npm run db:migrate)`,
    );
  });

  it('names the newest migration folder', () => {
    const folders = readdirSync(join(__dirname, '..', 'prisma', 'migrations'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(LATEST_MIGRATION).toBe(folders[folders.length - 1]);
  });

  it('rejects with the driver error when the query fails', async () => {
    await expect(checkDatabase(answering(Promise.reject(new Error('ECONNREFUSED'))), 1000)).rejects.toThrow(
      'ECONNREFUSED',
    );
  });

  it('rejects when the database does not answer within the timeout', async () => {
    jest.useFakeTimers();
    const never = new Promise<never>(() => undefined);
    const check = checkDatabase(answering(never), 250);
    jest.advanceTimersByTime(250);
    await expect(check).rejects.toThrow('database did not answer within 250 ms');
  });
});
