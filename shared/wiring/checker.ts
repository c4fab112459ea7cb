import { createDynamoClient, createSqsClient } from '../adapters/aws/clients.js';
import { createOrderRepository } from '../adapters/dynamo/order-repository.js';
import { createCheckQueue } from '../adapters/sqs/check-queue.js';
import { createNotifyQueue } from '../adapters/sqs/notify-queue.js';
import type { CheckerConfig } from '../config/config.js';
import { silentTelemetry } from '../observability/telemetry.js';
import type { CheckOrdersDeps } from '../use-cases/check-orders/check-orders.js';
import { awsOptions, type Overrides, replaced } from './options.js';
import { createShopDirectory } from './shops.js';

/** Orders in sync within this of their creation count towards the SLO (InSyncWithinSlo). */
const syncSloSeconds = 1800;

/** The checker's dependencies: the table, both queues, and the shops with their HotWax and Shopify. */
export const createCheckerDeps = (
  config: CheckerConfig,
  overrides: Overrides<CheckOrdersDeps> = {},
): CheckOrdersDeps => {
  const aws = awsOptions(overrides);
  const sqs = createSqsClient(config, aws);
  return {
    store: createOrderRepository({ client: createDynamoClient(config, aws), tableName: config.TABLE_NAME }),
    shops: createShopDirectory(config, overrides),
    queue: createCheckQueue({ client: sqs, queueUrl: config.CHECK_QUEUE_URL }),
    notifier: createNotifyQueue({ client: sqs, queueUrl: config.NOTIFY_QUEUE_URL }),
    telemetry: silentTelemetry,
    clock: { now: () => Date.now() },
    settings: { syncSloSeconds },
    ...replaced(overrides),
  };
};
