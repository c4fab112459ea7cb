import { notifierSchema, parseConfig } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { createNotifierDeps } from '../../shared/wiring/notifier.js';

export const { logger, metrics, telemetry } = createObservability();
export const { tracer, capture } = createTracing();
export const { sender, notifications, retryLater, redriveWhenHealthy } = createNotifierDeps(
  parseConfig(notifierSchema, await loadEnv()),
  {
    telemetry,
    capture,
  },
);

if (sender.kind === 'console') logger.warn('Slack is not configured: notifications are printed to the log');
