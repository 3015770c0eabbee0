import { HttpException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { PrismaService } from '@cvp/db';
import type Redis from 'ioredis';
import { generateKey, hashKey, type Role } from './api-keys';
import { ApiKeyGuard, RequireRole } from './guard';

class Routes {
  @RequireRole('reader')
  read(): string {
    return 'read';
  }
  @RequireRole('admin')
  train(): string {
    return 'train';
  }
  unmarked(): string {
    return 'unmarked';
  }
}

function context(path: string, handler: keyof Routes, authorization?: string) {
  const headers: Record<string, string> = {};
  const request = { originalUrl: path, headers: authorization ? { authorization } : {} } as Record<string, unknown>;
  const response = { setHeader: (name: string, value: string) => void (headers[name] = value) };
  const ctx = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { ctx, headers, request };
}

function setUp(
  rows: { key: string; role: Role; revoked?: boolean; limit?: number }[],
  counts = new Map<string, number>(), // the shared counter in Redis
) {
  const lookups: string[] = [];
  const prisma = {
    apiKey: {
      findUnique: async ({ where }: { where: { hash: string } }) => {
        lookups.push(where.hash);
        const row = rows.find((r) => hashKey(r.key) === where.hash);
        return row
          ? {
              id: `id-${row.role}`,
              role: row.role,
              prefix: row.key.slice(0, 12),
              rateLimitPerSecond: row.limit ?? null,
              revokedAt: row.revoked ? new Date() : null,
              expiresAt: null,
            }
          : null;
      },
    },
  } as unknown as PrismaService;
  const redis = {
    status: 'ready',
    defineCommand: () => undefined,
    cvpRateLimit: async (key: string, delta: number) => {
      counts.set(key, (counts.get(key) ?? 0) + Number(delta));
      return counts.get(key);
    },
  } as unknown as Redis;
  const guard = new ApiKeyGuard(
    new Reflector(),
    { rateLimits: { producer: 100, reader: 100, marketer: 100, admin: 100 }, cacheSeconds: 5 },
    prisma,
    redis,
  );
  return { guard, lookups };
}

const statusOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 200,
    (error: unknown) => (error instanceof HttpException ? error.getStatus() : 500),
  );

describe('ApiKeyGuard', () => {
  const reader = generateKey();
  const admin = generateKey();
  const revoked = generateKey();
  const limited = generateKey();

  it('leaves health, docs and metrics open', async () => {
    const { guard } = setUp([]);
    for (const path of ['/health/ready', '/docs/openapi.json', '/metrics']) {
      expect(await guard.canActivate(context(path, 'unmarked').ctx)).toBe(true);
    }
  });

  it('answers 401 (with WWW-Authenticate) without a key or with an unknown or revoked one', async () => {
    const { guard } = setUp([{ key: revoked, role: 'admin', revoked: true }]);
    const none = context('/v1/models', 'read');
    expect(await statusOf(guard.canActivate(none.ctx))).toBe(401);
    expect(none.headers['WWW-Authenticate']).toBe('Bearer realm="cvp"');
    expect(await statusOf(guard.canActivate(context('/v1/models', 'read', `Bearer ${generateKey()}`).ctx))).toBe(401);
    expect(await statusOf(guard.canActivate(context('/v1/models', 'read', `Bearer ${revoked}`).ctx))).toBe(401);
    expect(await statusOf(guard.canActivate(context('/v1/models', 'read', 'Basic abc').ctx))).toBe(401);
  });

  it('answers 403 for a role the route does not allow, and for a route that names no role', async () => {
    const { guard } = setUp([
      { key: reader, role: 'reader' },
      { key: admin, role: 'admin' },
    ]);
    expect(await statusOf(guard.canActivate(context('/v1/train', 'train', `Bearer ${reader}`).ctx))).toBe(403);
    expect(await statusOf(guard.canActivate(context('/v1/x', 'unmarked', `Bearer ${admin}`).ctx))).toBe(403);
    const allowed = context('/v1/train', 'train', `Bearer ${admin}`);
    expect(await guard.canActivate(allowed.ctx)).toBe(true);
    expect(allowed.request.apiKey).toEqual({ id: 'id-admin', role: 'admin', prefix: admin.slice(0, 12) });
    expect(await guard.canActivate(context('/v1/models', 'read', `Bearer ${admin}`).ctx)).toBe(true);
  });

  it('remembers a lookup instead of asking the database on every request', async () => {
    const { guard, lookups } = setUp([{ key: reader, role: 'reader' }]);
    for (let i = 0; i < 5; i++) await guard.canActivate(context('/v1/models', 'read', `Bearer ${reader}`).ctx);
    expect(lookups).toHaveLength(1);
  });

  it("answers 429 with Retry-After past the key's requests per second, and lets it through the next second", async () => {
    const { guard } = setUp([{ key: limited, role: 'reader', limit: 3 }]);
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 0, 1, 0, 0, 0, 100));
    try {
      const calls = Array.from({ length: 5 }, () => context('/v1/models', 'read', `Bearer ${limited}`));
      const statuses = [];
      for (const call of calls) statuses.push(await statusOf(guard.canActivate(call.ctx)));
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(calls[3].headers['Retry-After']).toBe('1');
      now.mockReturnValue(Date.UTC(2026, 0, 1, 0, 0, 1, 100));
      expect(await statusOf(guard.canActivate(context('/v1/models', 'read', `Bearer ${limited}`).ctx))).toBe(200);
    } finally {
      now.mockRestore();
    }
  });

  it('shares the count between replicas through the counter they flush to every 100 ms', async () => {
    const counts = new Map<string, number>();
    const rows = [{ key: limited, role: 'reader' as Role, limit: 3 }];
    const [a, b] = [setUp(rows, counts).guard, setUp(rows, counts).guard];
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 0, 1, 0, 0, 5, 100));
    const call = (guard: ApiKeyGuard) =>
      statusOf(guard.canActivate(context('/v1/models', 'read', `Bearer ${limited}`).ctx));
    const flushed = () => new Promise((resolve) => setTimeout(resolve, 250));
    try {
      expect([await call(a), await call(a)]).toEqual([200, 200]);
      await flushed();
      // B has not heard of A's two yet: its first request passes and is flushed, and the total comes back.
      expect(await call(b)).toBe(200);
      await flushed();
      expect([...counts.values()]).toEqual([3]);
      expect(await call(b)).toBe(429);
      // A last heard a total of 2: it lets one more through (the overshoot replicas allow between two flushes)...
      expect(await call(a)).toBe(200);
      await flushed();
      // ...and refuses once its flush brought back every replica's requests.
      expect(await call(a)).toBe(429);
    } finally {
      now.mockRestore();
    }
  });
});
