import { checkDatabase, type RawQueryRunner } from './health';

const answering = (result: Promise<unknown>): RawQueryRunner & { queries: string[] } => {
  const queries: string[] = [];
  return {
    queries,
    $queryRawUnsafe: (query: string) => {
      queries.push(query);
      return result;
    },
  };
};

describe('checkDatabase', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves once SELECT 1 answers', async () => {
    const prisma = answering(Promise.resolve([{ '?column?': 1 }]));
    await expect(checkDatabase(prisma, 1000)).resolves.toBeUndefined();
    expect(prisma.queries).toEqual(['SELECT 1']);
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
