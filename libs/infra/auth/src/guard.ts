import {
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  Optional,
  ServiceUnavailableException,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { LRUCache } from 'lru-cache';
import { PrismaService } from '@cvp/db';
import { REDIS, rateLimitKey, type RedisClient } from '@cvp/redis';
import { allows, findUsableKey, hashKey, type Role, type VerifiedKey } from './api-keys';

const REQUIRED_ROLE = 'cvp:required-role';

/** The role a route (or every route of a controller) asks for. Every `/v1` route must name one: no role, no access. */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
export interface AuthOptions {
  /** Requests per second per key by role (a key's own limit wins). */
  rateLimits: Record<Role, number>;
  /** How long a lookup (found or not) is remembered. */
  cacheSeconds: number;
}

/** What a request carries once its key was verified (`request.apiKey`). */
export type RequestKey = Pick<VerifiedKey, 'id' | 'role' | 'prefix'>;

interface HttpRequest {
  originalUrl?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  apiKey?: RequestKey;
}
/** A response of either HTTP server under Nest: Express's (setHeader) or Fastify's reply (header). */
export type HttpResponse =
  { setHeader(name: string, value: string): unknown } | { header(name: string, value: string): unknown };

/** Sets a response header on an Express response or a Fastify reply alike. */
export function setResponseHeader(response: HttpResponse, name: string, value: string): void {
  if ('header' in response && typeof response.header === 'function') response.header(name, value);
  else (response as { setHeader(name: string, value: string): unknown }).setHeader(name, value);
}

/** How often a replica adds its requests of the current second to the shared counter (and learns the others'). */
const RATE_LIMIT_FLUSH_MS = 100;

/** Adds ARGV[1] requests to a key's counter of one second; returns the total of every replica. */
const RATE_LIMIT_SCRIPT = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], 2) end
return n`;

/** One key's requests in one second, as this replica knows them. */
interface RateWindow {
  second: number;
  /** This replica's requests not yet added to the shared counter. */
  pending: number;
  /** The shared counter at the last flush (every replica's requests, ours flushed so far included). */
  known: number;
  flushing: boolean;
}

/**
 * Every `/v1` route of every service: `Authorization: Bearer <key>` -> 401 without a usable key (unknown, revoked,
 * expired), 403 when its role may not call the route (or the route names no role), 429 with `Retry-After` past the
 * key's requests per second. Health, `/docs` and `/metrics` stay open. Keys are looked up by their SHA-256 in
 * PostgreSQL, remembered `cacheSeconds`. Requests are counted per key and second in this replica and added to a
 * counter in Redis every RATE_LIMIT_FLUSH_MS, which answers every replica's total: a request is refused when that
 * total plus this replica's unflushed count passes the limit. So no request waits on Redis (a round trip each would
 * halve the score API's throughput); one replica enforces the limit exactly, several may let through together up to
 * their others' requests of the last 100 ms more. While Redis does not answer, each replica counts alone and a warning
 * is logged: an outage of the counter must not become an outage of the API.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly log = new Logger(ApiKeyGuard.name);
  private readonly cache: LRUCache<string, { key: VerifiedKey | null }>;
  private readonly windows = new Map<string, RateWindow>();
  private lastRedisWarning = 0;

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    @Optional() private readonly prisma?: PrismaService,
    @Optional() @Inject(REDIS) private readonly redis?: RedisClient,
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: Math.max(1, options.cacheSeconds * 1000) });
    // Sent once, then called by its SHA.
    redis?.defineCommand('cvpRateLimit', { numberOfKeys: 1, lua: RATE_LIMIT_SCRIPT });
    // A service that lists Redis as optional never connects it otherwise (its clients connect lazily).
    if (redis?.status === 'wait') redis.connect().catch(() => undefined);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const path = request.originalUrl ?? request.url ?? '';
    if (!/^\/v1(\/|$|\?)/.test(path)) return true;
    const response = context.switchToHttp().getResponse<HttpResponse>();

    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const key = await this.verify(request, response);
    if (!required) throw new ForbiddenException('this route names no role: nobody may call it');
    if (!allows(key.role, required)) {
      throw new ForbiddenException(`a ${key.role} key may not call this route (it needs ${required})`);
    }
    await this.limit(key, response);
    request.apiKey = { id: key.id, role: key.role, prefix: key.prefix };
    return true;
  }

  private async verify(request: HttpRequest, response: HttpResponse): Promise<VerifiedKey> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const unauthorized = (message: string) => {
      setResponseHeader(response, 'WWW-Authenticate', 'Bearer realm="cvp"');
      return new UnauthorizedException(message);
    };
    if (!match) throw unauthorized('an API key is required: Authorization: Bearer <key>');
    const hash = hashKey(match[1]);
    let cached = this.cache.get(hash);
    if (!cached) {
      if (!this.prisma) throw new ServiceUnavailableException('API keys cannot be checked here (no database)');
      try {
        cached = { key: await findUsableKey(this.prisma, match[1]) };
      } catch {
        throw new ServiceUnavailableException('API keys cannot be checked now (database unavailable); retry shortly');
      }
      this.cache.set(hash, cached);
    }
    if (!cached.key) throw unauthorized('unknown, revoked or expired API key');
    return cached.key;
  }

  private async limit(key: VerifiedKey, response: HttpResponse): Promise<void> {
    const limit = key.rateLimitPerSecond ?? this.options.rateLimits[key.role];
    const second = Math.floor(Date.now() / 1000);
    let window = this.windows.get(key.id);
    if (!window || window.second !== second) {
      window = { second, pending: 0, known: 0, flushing: false };
      this.windows.set(key.id, window);
    }
    window.pending++;
    if (this.redis && !window.flushing) {
      window.flushing = true;
      const flushed = window;
      setTimeout(() => void this.flush(key.id, flushed), RATE_LIMIT_FLUSH_MS).unref();
    }
    if (window.known + window.pending > limit) {
      setResponseHeader(response, 'Retry-After', '1');
      throw new HttpException(
        {
          statusCode: HttpStatus.TOO_MANY_REQUESTS,
          error: 'Too Many Requests',
          message: `over ${limit} requests per second for this key; retry after 1 s`,
          retryAfterSeconds: 1,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  /** Adds a window's unflushed requests to the shared counter and learns every replica's total. */
  private async flush(keyId: string, window: RateWindow): Promise<void> {
    const delta = window.pending;
    window.pending = 0;
    try {
      const counter = this.redis as RedisClient & { cvpRateLimit(key: string, delta: number): Promise<number> };
      window.known = Number(await counter.cvpRateLimit(rateLimitKey(keyId, window.second), delta));
    } catch (error) {
      window.known += delta; // counted alone while the shared counter is away
      if (Date.now() - this.lastRedisWarning > 60_000) {
        this.lastRedisWarning = Date.now();
        this.log.warn(`rate limits counted per replica only: Redis does not answer (${(error as Error).message})`);
      }
    } finally {
      window.flushing = false;
      // Requests that came while this flush was out go with the next one.
      if (window.pending > 0 && this.windows.get(keyId) === window) {
        window.flushing = true;
        setTimeout(() => void this.flush(keyId, window), RATE_LIMIT_FLUSH_MS).unref();
      }
      for (const [id, held] of this.windows)
        if (held.second < Math.floor(Date.now() / 1000) - 1) this.windows.delete(id);
    }
  }
}
