import type Redis from 'ioredis';
import { pseudonym } from '@cvp/auth';
import type { PrismaService } from '@cvp/db';
import { ErasedCustomers } from './erased';

const KEY = 'a-test-pseudonym-key';

describe('ErasedCustomers', () => {
  const tombstones = new Set([pseudonym('gone', KEY)]);
  const redis = {
    status: 'ready',
    smismember: async (_key: string, ...members: string[]) => members.map((m) => (tombstones.has(m) ? 1 : 0)),
  } as unknown as Redis;
  const prisma = {
    erasedCustomer: {
      findMany: async ({ where }: { where: { pseudonym: { in: string[] } } }) =>
        where.pseudonym.in.filter((p) => tombstones.has(p)).map((p) => ({ pseudonym: p })),
    },
  } as unknown as PrismaService;

  it('finds erased customers by pseudonym in Redis, never by their id', async () => {
    expect(await new ErasedCustomers(KEY, redis).among(['kept', 'gone', 'gone'])).toEqual(new Set(['gone']));
    expect(await new ErasedCustomers('another-key-entirely', redis).among(['gone'])).toEqual(new Set());
  });

  it('asks PostgreSQL while Redis does not answer, and throws when neither can tell', async () => {
    const down = { status: 'ready', smismember: async () => Promise.reject(new Error('down')) } as unknown as Redis;
    expect(await new ErasedCustomers(KEY, down, prisma).among(['gone', 'kept'])).toEqual(new Set(['gone']));
    await expect(new ErasedCustomers(KEY, down).among(['gone'])).rejects.toThrow('down');
    expect(await new ErasedCustomers(KEY).among(['gone'])).toEqual(new Set());
  });
});
