import { All, Controller, Param, Req, Res, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { notPassedOn, upstreamTarget, Upstreams } from './upstreams';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * `/api/<service>/v1/...` -> that service's `/v1/...`, with the caller's `Authorization` header: the service checks
 * the key and its role exactly as for any other client, and its answer (status, JSON, field errors) comes back as it
 * is. Only `/v1` API routes of the five services are passed on.
 */
@ApiExcludeController()
@Controller('api')
export class ProxyController {
  constructor(private readonly upstreams: Upstreams) {}

  @All(':service/*path')
  async pass(@Param('service') service: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const prefix = `/api/${service}`;
    const target = upstreamTarget(service, request.originalUrl.slice(prefix.length));
    if (!request.originalUrl.startsWith(prefix) || !target) throw notPassedOn();
    // A body goes on as the JSON it was (a request without one goes without: some routes refuse any body).
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && !request.is('application/json')) {
      throw new UnsupportedMediaTypeException(
        'the console passes on JSON bodies only (content-type: application/json)',
      );
    }
    const answer = await this.upstreams.call(target.service, target.path, {
      method: request.method,
      authorization: request.headers.authorization,
      body: hasBody && BODY_METHODS.has(request.method) ? JSON.stringify(request.body) : undefined,
    });
    response.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
    response.setHeader('cache-control', 'no-store');
    response.end(answer.body);
  }
}
