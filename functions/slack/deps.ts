import { parseConfig, slackInteractionsSchema } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { createSlackInteractionsDeps } from '../../shared/wiring/slack.js';

export const { logger, telemetry } = createObservability();
export const tracing = await createTracing();
const { capture } = tracing;
export const deps = createSlackInteractionsDeps(parseConfig(slackInteractionsSchema, await loadEnv()), {
  telemetry,
  capture,
});
