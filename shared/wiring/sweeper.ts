import { createDynamoClient, createSqsClient } from '../adapters/aws/clients.js';
import { createOrderRepository } from '../adapters/dynamo/order-repository.js';
import { createSweepCheckpointStore } from '../adapters/dynamo/sweep-checkpoint-store.js';
import { createCheckQueue } from '../adapters/sqs/check-queue.js';
import { createNotifyQueue } from '../adapters/sqs/notify-queue.js';
import type { SweeperConfig } from '../config/config.js';
import { sweepSettingsFromConfig } from '../config/settings.js';
import { silentTelemetry } from '../observability/telemetry.js';
import type { SweepOrdersDeps } from '../use-cases/sweep-orders/sweep-orders.js';
import { awsOptions, type Overrides, replaced } from './options.js';
import { createShopifyPort } from './shops.js';

/** The sweeper's dependencies for the environment's shop: its Admin API, the table, both queues. */
export const createSweeperDeps = (
  config: SweeperConfig,
  overrides: Overrides<SweepOrdersDeps> = {},
): SweepOrdersDeps => {
  const aws = awsOptions(overrides);
  const dynamo = createDynamoClient(config, aws);
  const sqs = createSqsClient(config, aws);
  return {
    shopify: createShopifyPort(config, overrides),
    store: createOrderRepository({ client: dynamo, tableName: config.TABLE_NAME }),
    checkpoints: createSweepCheckpointStore({ client: dynamo, tableName: config.TABLE_NAME }),
    queue: createCheckQueue({ client: sqs, queueUrl: config.CHECK_QUEUE_URL }),
    notifier: createNotifyQueue({ client: sqs, queueUrl: config.NOTIFY_QUEUE_URL }),
    telemetry: silentTelemetry,
    clock: { now: () => Date.now() },
    settings: sweepSettingsFromConfig(config),
    ...replaced(overrides),
  };
};
