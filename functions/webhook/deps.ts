import { createDynamoClient, createS3Client, createSqsClient } from '../../shared/adapters/aws/clients.js';
import { createOrderStore } from '../../shared/adapters/dynamo/order-store.js';
import { createQuarantineStore } from '../../shared/adapters/s3/quarantine-store.js';
import { createWebhookVerifier } from '../../shared/adapters/shopify/webhook-verifier.js';
import { createCheckQueue } from '../../shared/adapters/sqs/check-queue.js';
import { parseConfig, webhookSchema } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { createObservability } from '../../shared/observability/powertools.js';
import type { IngestWebhookDeps } from '../../shared/use-cases/ingest-webhook.js';

const config = parseConfig(webhookSchema, await loadEnv());
const dynamo = createDynamoClient(config);

export const { logger, metrics, telemetry } = createObservability();

let verifier = {
  secret: config.SHOPIFY_WEBHOOK_SECRET,
  verify: createWebhookVerifier(config.SHOPIFY_WEBHOOK_SECRET),
};

export const deps: IngestWebhookDeps = {
  // The secret is re-read through Powertools' cache, so a rotated client secret is picked up within minutes;
  // only that one value is read per delivery (the rest of the configuration was validated at cold start).
  verify: async (body, headers) => {
    const secret = (await loadEnv()).SHOPIFY_WEBHOOK_SECRET || config.SHOPIFY_WEBHOOK_SECRET;
    if (secret !== verifier.secret) verifier = { secret, verify: createWebhookVerifier(secret) };
    return verifier.verify(body, headers);
  },
  store: createOrderStore({ client: dynamo, tableName: config.TABLE_NAME }),
  queue: createCheckQueue({ client: createSqsClient(config), queueUrl: config.CHECK_QUEUE_URL }),
  quarantine: createQuarantineStore({ client: createS3Client(config), bucket: config.QUARANTINE_BUCKET }),
  telemetry,
  clock: { now: () => Date.now() },
  config: {
    expectedShop: config.SHOPIFY_SHOP,
    checkDelaySeconds: config.CHECK_DELAY_SECONDS,
    fulfilledCheckDelaySeconds: config.FULFILLED_CHECK_DELAY_SECONDS,
  },
};
