import { startTelemetry } from '@cvp/telemetry';

/** Imported first by main.ts so instrumentation patches modules before they load. */
export const telemetry = startTelemetry('cvp-console');
