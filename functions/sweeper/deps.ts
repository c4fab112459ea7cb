import { createDynamoClient, createSqsClient } from '../../shared/adapters/aws/clients.js';
import { createOrderStore } from '../../shared/adapters/dynamo/order-store.js';
import { createSweepCheckpointStore } from '../../shared/adapters/dynamo/sweep-checkpoint-store.js';
import { createShopifyAdmin } from '../../shared/adapters/shopify/admin-client.js';
import { createCheckQueue } from '../../shared/adapters/sqs/check-queue.js';
import { createNotifyQueue } from '../../shared/adapters/sqs/notify-queue.js';
import { parseConfig, sweeperSchema } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { defaultSweepSettings, type SweepOrdersDeps } from '../../shared/use-cases/sweep-orders.js';

const config = parseConfig(sweeperSchema, await loadEnv());

export const { logger, metrics, telemetry } = createObservability();
export const { tracer, capture } = createTracing();
const dynamo = createDynamoClient(config, capture);
const sqs = createSqsClient(config, capture);

export const deps: SweepOrdersDeps = {
  shopify: createShopifyAdmin({
    shop: config.SHOPIFY_SHOP,
    accessToken: config.SHOPIFY_ADMIN_TOKEN,
    apiVersion: config.SHOPIFY_API_VERSION,
    timeoutMs: config.SHOPIFY_TIMEOUT_MS,
    ...(config.SHOPIFY_ADMIN_URL ? { adminUrl: config.SHOPIFY_ADMIN_URL } : {}),
    logger: { warn: (message, attributes) => telemetry.warn(message, attributes) },
  }),
  store: createOrderStore({ client: dynamo, tableName: config.TABLE_NAME }),
  checkpoints: createSweepCheckpointStore({ client: dynamo, tableName: config.TABLE_NAME }),
  queue: createCheckQueue({ client: sqs, queueUrl: config.CHECK_QUEUE_URL }),
  notifier: createNotifyQueue({ client: sqs, queueUrl: config.NOTIFY_QUEUE_URL }),
  telemetry,
  clock: { now: () => Date.now() },
  settings: {
    ...defaultSweepSettings,
    shop: config.SHOPIFY_SHOP,
    checkDelayMs: config.CHECK_DELAY_SECONDS * 1000,
    fulfilledCheckDelayMs: config.FULFILLED_CHECK_DELAY_SECONDS * 1000,
    intervalMs: config.SWEEP_INTERVAL_SECONDS * 1000,
    overlapMs: config.SWEEP_OVERLAP_SECONDS * 1000,
    lookbackMs: config.SWEEP_LOOKBACK_SECONDS * 1000,
    maxWindowMs: config.SWEEP_MAX_WINDOW_SECONDS * 1000,
    settleMs: config.SWEEP_SETTLE_SECONDS * 1000,
    overdueGraceMs: config.OVERDUE_GRACE_SECONDS * 1000,
    restoreSubscriptions: config.RESTORE_WEBHOOK_SUBSCRIPTIONS,
    webhookCallbackUrl: config.WEBHOOK_CALLBACK_URL,
  },
};
