import { parseConfig, sweeperSchema } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { createSweeperDeps } from '../../shared/wiring/sweeper.js';

export const { logger, metrics, telemetry } = createObservability();
export const { tracer, capture } = createTracing();
export const deps = createSweeperDeps(parseConfig(sweeperSchema, await loadEnv()), {
  telemetry,
  capture,
  logger: { warn: (message, attributes) => telemetry.warn(message, attributes) },
});
