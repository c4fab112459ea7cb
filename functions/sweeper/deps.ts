import { sweeperSchema } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { parseShops } from '../../shared/config/shops.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { createShopSweeps } from '../../shared/wiring/sweeper.js';

export const { logger, metrics, telemetry } = createObservability();
export const tracing = await createTracing();
const { capture } = tracing;
/** One sweep per shop (SHOPS_FILE, or the environment's one shop), each with its own lease and checkpoint. */
export const shops = createShopSweeps(
  parseShops(sweeperSchema, await loadEnv()).map(({ config }) => config),
  { telemetry, capture, logger: { warn: (message, attributes) => telemetry.warn(message, attributes) } },
);
