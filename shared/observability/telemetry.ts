import type { MetricName } from './metric-names.js';

/** What use cases need from logging and metrics; Powertools in Lambda, the same Powertools locally. */
export interface Telemetry {
  count(name: MetricName, value?: number, dimensions?: Record<string, string>): void;
  /** a value such as a latency (seconds unless `unit` says otherwise) */
  value(name: MetricName, value: number, dimensions?: Record<string, string>): void;
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

/** Discards everything: for unit tests and benchmarks. */
export const silentTelemetry: Telemetry = {
  count() {},
  value() {},
  info() {},
  warn() {},
  error() {},
};
