import { createQuarantineStore } from '../adapters/s3/quarantine-store.js';
import { createWebhookVerifier } from '../adapters/shopify/webhook-verifier.js';
import type { WebhookConfig } from '../config/config.js';
import type { IngestWebhookDeps } from '../use-cases/ingest-webhook/ingest-webhook.js';
import { createOrderTable, createQueues, runtimeDefaults } from './aws.js';
import { type Overrides, replaced } from './options.js';

/**
 * The webhook function's dependencies: the table, the check queue, the quarantine bucket, the HMAC verifier. Given
 * several shops (SHOPS_FILE), it serves exactly those, each with its own check delays; pass a shop-routed `verify`
 * (`createShopRoutedVerifier`) so each delivery is verified with its shop's secret.
 */
export const createWebhookDeps = (
  configs: WebhookConfig | readonly WebhookConfig[],
  overrides: Overrides<IngestWebhookDeps> = {},
  { severalShops = Array.isArray(configs) && configs.length > 1 }: { severalShops?: boolean } = {},
): IngestWebhookDeps => {
  const shops: readonly WebhookConfig[] = Array.isArray(configs) ? configs : [configs as WebhookConfig];
  const config = shops[0] as WebhookConfig;
  const table = createOrderTable(config, overrides);
  return {
    ...runtimeDefaults,
    verify: createWebhookVerifier(config.SHOPIFY_WEBHOOK_SECRET),
    store: table.store,
    queue: createQueues(config, overrides).queue,
    // Signed with the credentials the table's client resolved: one provider chain per process.
    quarantine: createQuarantineStore({
      bucket: config.QUARANTINE_BUCKET,
      region: config.AWS_REGION,
      endpoint: config.S3_ENDPOINT,
      credentials: () => table.client.config.credentials(),
    }),
    config: {
      expectedShop: config.SHOPIFY_SHOP,
      checkDelaySeconds: config.CHECK_DELAY_SECONDS,
      fulfilledCheckDelaySeconds: config.FULFILLED_CHECK_DELAY_SECONDS,
      ...(severalShops
        ? {
            shops: Object.fromEntries(
              shops.map((shop) => [
                shop.SHOPIFY_SHOP ?? '',
                {
                  checkDelaySeconds: shop.CHECK_DELAY_SECONDS,
                  fulfilledCheckDelaySeconds: shop.FULFILLED_CHECK_DELAY_SECONDS,
                },
              ]),
            ),
          }
        : {}),
    },
    ...replaced(overrides),
  };
};
