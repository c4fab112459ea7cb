import { createS3Client } from '../adapters/aws/clients.js';
import { createQuarantineStore } from '../adapters/s3/quarantine-store.js';
import { createWebhookVerifier } from '../adapters/shopify/webhook-verifier.js';
import type { WebhookConfig } from '../config/config.js';
import type { IngestWebhookDeps } from '../use-cases/ingest-webhook/ingest-webhook.js';
import { createOrderTable, createQueues, runtimeDefaults } from './aws.js';
import { awsOptions, type Overrides, replaced } from './options.js';

/** The webhook function's dependencies: the table, the check queue, the quarantine bucket, the HMAC verifier. */
export const createWebhookDeps = (
  config: WebhookConfig,
  overrides: Overrides<IngestWebhookDeps> = {},
): IngestWebhookDeps => ({
  ...runtimeDefaults,
  verify: createWebhookVerifier(config.SHOPIFY_WEBHOOK_SECRET),
  store: createOrderTable(config, overrides).store,
  queue: createQueues(config, overrides).queue,
  quarantine: createQuarantineStore({
    client: createS3Client(config, awsOptions(overrides)),
    bucket: config.QUARANTINE_BUCKET,
  }),
  config: {
    expectedShop: config.SHOPIFY_SHOP,
    checkDelaySeconds: config.CHECK_DELAY_SECONDS,
    fulfilledCheckDelaySeconds: config.FULFILLED_CHECK_DELAY_SECONDS,
  },
  ...replaced(overrides),
});
