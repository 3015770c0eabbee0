import { BadGatewayException, GatewayTimeoutException, Inject, Injectable, NotFoundException } from '@nestjs/common';

/** The services whose APIs the console calls, in pipeline order. */
export const UPSTREAMS = ['ingest', 'features', 'trainer', 'scorer', 'campaigns'] as const;
export type Upstream = (typeof UPSTREAMS)[number];

export const UPSTREAM_OPTIONS = Symbol('UPSTREAM_OPTIONS');
export interface UpstreamOptions {
  urls: Record<Upstream, string>;
  timeoutMs: number;
}

/** Response headers a service's answer keeps on its way through the console. */
const KEPT_HEADERS = ['content-type', 'content-disposition', 'retry-after', 'www-authenticate'] as const;

export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The path and query a console request may ask of a service: a `/v1/...` API route, nothing else (not health,
 * metrics or docs, and no `..` that would climb out of /v1 once the service resolves it). Null when it may not.
 */
export function upstreamTarget(service: string, pathAndQuery: string): { service: Upstream; path: string } | null {
  if (!(UPSTREAMS as readonly string[]).includes(service)) return null;
  if (!pathAndQuery.startsWith('/v1/')) return null;
  let url: URL;
  try {
    url = new URL(pathAndQuery, 'http://upstream.invalid');
  } catch {
    return null;
  }
  // The URL parser resolves `..` and `%2e%2e` segments: what is left must still be under /v1/.
  if (url.origin !== 'http://upstream.invalid' || !url.pathname.startsWith('/v1/')) return null;
  return { service: service as Upstream, path: url.pathname + url.search };
}

/**
 * Calls the other services' HTTP APIs on behalf of a console user: with that user's API key (each service checks
 * it and its role, as for any client), within a time limit; a service that does not answer is a 502, one that
 * answers too late a 504, both naming the service.
 */
@Injectable()
export class Upstreams {
  constructor(@Inject(UPSTREAM_OPTIONS) private readonly options: UpstreamOptions) {}

  url(service: Upstream): string {
    return this.options.urls[service];
  }

  async call(
    service: Upstream,
    path: string,
    init: { method?: string; authorization?: string; body?: string; timeoutMs?: number } = {},
  ): Promise<UpstreamAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.authorization) headers.authorization = init.authorization;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.options.urls[service]}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(init.timeoutMs ?? this.options.timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        throw new GatewayTimeoutException(`the ${service} service did not answer in time`);
      }
      throw new BadGatewayException(`the ${service} service does not answer`);
    }
    const kept: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) kept[name] = value;
    }
    return { status: response.status, headers: kept, body: Buffer.from(await response.arrayBuffer()) };
  }

  /** A JSON answer of a 2xx status, or null for any other (the caller says what is missing). */
  async json<T>(service: Upstream, path: string, authorization?: string): Promise<T | null> {
    const answer = await this.call(service, path, { authorization });
    if (answer.status < 200 || answer.status >= 300) return null;
    return JSON.parse(answer.body.toString('utf8')) as T;
  }
}

/** 404 for a path the console does not pass on. */
export const notPassedOn = () =>
  new NotFoundException(
    'the console passes on /api/<service>/v1/... routes of ingest, features, trainer, scorer and campaigns only',
  );
