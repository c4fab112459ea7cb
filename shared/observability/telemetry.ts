import type { Telemetry } from '../domain/ports.js';

export type { Telemetry };

/** Discards everything: for unit tests and benchmarks. */
export const silentTelemetry: Telemetry = {
  count() {},
  value() {},
  info() {},
  warn() {},
  error() {},
};
