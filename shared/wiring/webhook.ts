import { createDynamoClient, createS3Client, createSqsClient } from '../adapters/aws/clients.js';
import { createOrderRepository } from '../adapters/dynamo/order-repository.js';
import { createQuarantineStore } from '../adapters/s3/quarantine-store.js';
import { createWebhookVerifier } from '../adapters/shopify/webhook-verifier.js';
import { createCheckQueue } from '../adapters/sqs/check-queue.js';
import type { WebhookConfig } from '../config/config.js';
import { silentTelemetry } from '../observability/telemetry.js';
import type { IngestWebhookDeps } from '../use-cases/ingest-webhook/ingest-webhook.js';
import { awsOptions, type Overrides, replaced } from './options.js';

/** The webhook function's dependencies: the table, the check queue, the quarantine bucket, the HMAC verifier. */
export const createWebhookDeps = (
  config: WebhookConfig,
  overrides: Overrides<IngestWebhookDeps> = {},
): IngestWebhookDeps => {
  const aws = awsOptions(overrides);
  return {
    verify: createWebhookVerifier(config.SHOPIFY_WEBHOOK_SECRET),
    store: createOrderRepository({ client: createDynamoClient(config, aws), tableName: config.TABLE_NAME }),
    queue: createCheckQueue({ client: createSqsClient(config, aws), queueUrl: config.CHECK_QUEUE_URL }),
    quarantine: createQuarantineStore({
      client: createS3Client(config, aws),
      bucket: config.QUARANTINE_BUCKET,
    }),
    telemetry: silentTelemetry,
    clock: { now: () => Date.now() },
    config: {
      expectedShop: config.SHOPIFY_SHOP,
      checkDelaySeconds: config.CHECK_DELAY_SECONDS,
      fulfilledCheckDelaySeconds: config.FULFILLED_CHECK_DELAY_SECONDS,
    },
    ...replaced(overrides),
  };
};
