import { checkerSchema, parseConfig } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { createCheckerDeps } from '../../shared/wiring/checker.js';

export const { logger, metrics, telemetry } = createObservability();
export const { tracer, capture } = createTracing();
export const deps = createCheckerDeps(parseConfig(checkerSchema, await loadEnv()), {
  telemetry,
  capture,
  logger,
});
