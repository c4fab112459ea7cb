import { envCredentials } from '../../shared/adapters/aws/env-credentials.js';
import { createSecretReader } from '../../shared/adapters/aws/secret-reader.js';
import { webhookSchema } from '../../shared/config/config.js';
import { mergeSecrets } from '../../shared/config/load-env.js';
import { parseShops } from '../../shared/config/shops.js';
import { createLeanObservability } from '../../shared/observability/lean-observability.js';
import { createWebhookDeps, createWebhookVerify } from '../../shared/wiring/webhook.js';

/** Lambda gives the role's credentials in the environment; secrets are read only there (CONFIG_SECRET_ARNS). */
const readSecret = createSecretReader({
  region: process.env.AWS_REGION ?? 'us-east-1',
  credentials: envCredentials(),
});
const loadEnv = () => mergeSecrets(process.env, 300, readSecret);

const env = await loadEnv();
const shops = parseShops(webhookSchema, env);
const severalShops = Boolean(env.SHOPS_FILE?.trim());

/** Powertools' log and EMF shapes without Powertools: this is the function Shopify waits on (cold start). */
export const observability = createLeanObservability();
const { telemetry } = observability;

/** Each shop's client secret by the name SHOPS_FILE gives it; one app's shops share SHOPIFY_WEBHOOK_SECRET. */
const verify = createWebhookVerify(
  shops.map(({ entry, config }) => ({
    shop: config.SHOPIFY_SHOP ?? '',
    name: entry?.secrets.webhookSecret ?? 'SHOPIFY_WEBHOOK_SECRET',
    atStart: config.SHOPIFY_WEBHOOK_SECRET,
  })),
  loadEnv,
  { severalShops },
);

export const deps = createWebhookDeps(
  shops.map(({ config }) => config),
  { telemetry, verify },
  { severalShops },
);
