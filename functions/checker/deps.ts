import { createDynamoClient, createSqsClient } from '../../shared/adapters/aws/clients.js';
import { createOrderStore } from '../../shared/adapters/dynamo/order-store.js';
import {
  createHotwaxClient,
  hotwaxClientOptionsFromConfig,
} from '../../shared/adapters/hotwax/hotwax-client.js';
import { createShopifyAdmin } from '../../shared/adapters/shopify/admin-client.js';
import { createCheckQueue } from '../../shared/adapters/sqs/check-queue.js';
import { createNotifyQueue } from '../../shared/adapters/sqs/notify-queue.js';
import { checkerSettingsFromConfig } from '../../shared/config/check-settings.js';
import { checkerSchema, parseConfig } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import type { CheckOrdersDeps } from '../../shared/use-cases/check-orders.js';

const config = parseConfig(checkerSchema, await loadEnv());
export const { logger, metrics, telemetry } = createObservability();
export const { tracer, capture } = createTracing();
const sqs = createSqsClient(config, capture);

export const deps: CheckOrdersDeps = {
  store: createOrderStore({ client: createDynamoClient(config, capture), tableName: config.TABLE_NAME }),
  hotwax: createHotwaxClient({ ...hotwaxClientOptionsFromConfig(config), logger }),
  shopify: createShopifyAdmin({
    shop: config.SHOPIFY_SHOP,
    accessToken: config.SHOPIFY_ADMIN_TOKEN,
    apiVersion: config.SHOPIFY_API_VERSION,
    timeoutMs: config.SHOPIFY_TIMEOUT_MS,
    ...(config.SHOPIFY_ADMIN_URL ? { adminUrl: config.SHOPIFY_ADMIN_URL } : {}),
    logger: { warn: (message, attributes) => telemetry.warn(message, attributes) },
  }),
  queue: createCheckQueue({ client: sqs, queueUrl: config.CHECK_QUEUE_URL }),
  notifier: createNotifyQueue({ client: sqs, queueUrl: config.NOTIFY_QUEUE_URL }),
  telemetry,
  clock: { now: () => Date.now() },
  settings: checkerSettingsFromConfig(config),
};
