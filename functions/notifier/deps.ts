import { notifierSchema, parseConfig } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { shopChannels } from '../../shared/config/shops.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { createNotifierDeps } from '../../shared/wiring/notifier.js';

export const { logger, metrics, telemetry } = createObservability();
export const tracing = await createTracing();
const { capture } = tracing;
const env = await loadEnv();
/** Shops with a Slack channel of their own (SHOPS_FILE) are routed there; the rest, and alarms, to SLACK_CHANNEL_ID. */
export const { sender, notifications, retryLater, redriveWhenHealthy } = createNotifierDeps(
  parseConfig(notifierSchema, env),
  { telemetry, capture, shopChannels: shopChannels(env) },
);

if (sender.kind === 'console') logger.warn('Slack is not configured: notifications are printed to the log');
