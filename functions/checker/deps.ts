import { checkerSchema } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { deploymentConfig, parseShops } from '../../shared/config/shops.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { createCheckerDeps } from '../../shared/wiring/checker.js';
import { createCheckReplies } from '../../shared/wiring/slack.js';

export const { logger, metrics, telemetry } = createObservability();
export const tracing = await createTracing();
const { capture } = tracing;
const shops = parseShops(checkerSchema, await loadEnv()).map(({ config }) => config);
const config = deploymentConfig(shops);
export const deps = createCheckerDeps(shops, { telemetry, capture, logger });
/** The outcome of checks people asked for from Slack goes back to them. */
export const replies = createCheckReplies(config, { capture });
