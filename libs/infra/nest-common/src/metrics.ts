import { Controller, Get, Header } from '@nestjs/common';
import { cvpMeter, durationHistogram, PROMETHEUS_CONTENT_TYPE, prometheusText } from '@cvp/telemetry';

/**
 * `GET /metrics`: the service's metrics in the Prometheus text format (OpenTelemetry metrics through the Prometheus
 * reader), open like the health routes; the chart's NetworkPolicy limits who reaches it.
 */
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', PROMETHEUS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  metrics(): Promise<string> {
    return prometheusText();
  }
}

/**
 * Counts and times every HTTP response by method, route template (`/v1/customers/:id/score`; `unmatched` for a path
 * no route serves, so ids never become labels) and status. Registered by `runService` on Express or Fastify.
 */
export class HttpMetrics {
  private readonly requests = cvpMeter().createCounter('cvp.http.server.requests', {
    description: 'HTTP responses by method, route and status',
  });
  private readonly duration = durationHistogram(
    'cvp.http.server.duration.seconds',
    'Time from request to response by method, route and status',
  );

  record(method: string, route: string | undefined, status: number, seconds: number): void {
    // Nest's not-found handler is a catch-all route (`/{*path}` on Express 5): no CVP route has a wildcard.
    const attributes = { method, route: route && !route.includes('*') ? route : 'unmatched', status: String(status) };
    this.requests.add(1, attributes);
    this.duration.record(seconds, attributes);
  }
}
