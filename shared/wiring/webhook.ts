import { createQuarantineStore } from '../adapters/s3/quarantine-store.js';
import { createShopRoutedVerifier, createWebhookVerifier } from '../adapters/shopify/webhook-verifier.js';
import type { WebhookConfig } from '../config/config.js';
import type { WebhookVerifier } from '../domain/ports.js';
import type { IngestWebhookDeps } from '../use-cases/ingest-webhook/ingest-webhook.js';
import { createOrderTable, createQueues, runtimeDefaults } from './aws.js';
import { listOf, type Overrides, replaced } from './options.js';

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
  const shops = listOf(configs);
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

/** Where one shop's client secret is read: the name its SHOPS_FILE entry gives, or the shared app's. */
export interface ShopSecret {
  shop: string;
  /** the environment variable (a key of the function's secret in AWS) holding it */
  name: string;
  /** its value when the function started, used while a re-read finds none */
  atStart: string;
}

/**
 * The webhook's HMAC check with secrets re-read on every delivery through `readEnv`'s cache, so a rotated client
 * secret is picked up within minutes. One shop: its secret, the verifier rebuilt only when the value changes. Several
 * shops (SHOPS_FILE): the secret of the shop X-Shopify-Shop-Domain names (`createShopRoutedVerifier`).
 */
export const createWebhookVerify = (
  secrets: readonly ShopSecret[],
  readEnv: () => Promise<Record<string, string | undefined>>,
  { severalShops }: { severalShops: boolean },
): WebhookVerifier => {
  const byShop = new Map(secrets.map((secret) => [secret.shop, secret]));
  const currentSecret = async (known: ShopSecret) => (await readEnv())[known.name] || known.atStart;
  if (severalShops) {
    return createShopRoutedVerifier({
      secretOf: async (shop) => {
        const known = byShop.get(shop);
        return known ? currentSecret(known) : undefined;
      },
      secrets: async () => (await Promise.all(secrets.map(currentSecret))).filter(Boolean),
    });
  }
  const only = secrets[0] ?? { shop: '', name: 'SHOPIFY_WEBHOOK_SECRET', atStart: '' };
  let single = { secret: only.atStart, verify: createWebhookVerifier(only.atStart) };
  return async (body, headers) => {
    const secret = (await readEnv())[only.name] || single.secret;
    if (secret !== single.secret) single = { secret, verify: createWebhookVerifier(secret) };
    return single.verify(body, headers);
  };
};
