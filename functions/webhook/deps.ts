import { fromEnv } from '@aws-sdk/credential-provider-env';
import { createSecretReader } from '../../shared/adapters/aws/secret-reader.js';
import {
  createShopRoutedVerifier,
  createWebhookVerifier,
} from '../../shared/adapters/shopify/webhook-verifier.js';
import { webhookSchema } from '../../shared/config/config.js';
import { mergeSecrets } from '../../shared/config/load-env.js';
import { parseShops } from '../../shared/config/shops.js';
import type { WebhookVerifier } from '../../shared/domain/ports.js';
import { createLeanObservability } from '../../shared/observability/lean-observability.js';
import { createWebhookDeps } from '../../shared/wiring/webhook.js';

/** Lambda gives the role's credentials in the environment; secrets are read only there (CONFIG_SECRET_ARNS). */
const readSecret = createSecretReader({
  region: process.env.AWS_REGION ?? 'us-east-1',
  credentials: fromEnv(),
});
const loadEnv = () => mergeSecrets(process.env, 300, readSecret);

const env = await loadEnv();
const shops = parseShops(webhookSchema, env);
const severalShops = Boolean(env.SHOPS_FILE?.trim());

/** Powertools' log and EMF shapes without Powertools: this is the function Shopify waits on (cold start). */
export const observability = createLeanObservability();
const { telemetry } = observability;

/** Where each shop's client secret is found (SHOPS_FILE's names; one app's shops share SHOPIFY_WEBHOOK_SECRET). */
const secretNames = new Map(
  shops.map(({ entry, config }) => [
    config.SHOPIFY_SHOP ?? '',
    {
      name: entry?.secrets.webhookSecret ?? 'SHOPIFY_WEBHOOK_SECRET',
      atStart: config.SHOPIFY_WEBHOOK_SECRET,
    },
  ]),
);

/**
 * The secret is re-read through a five-minute cache, so a rotated client secret is picked up within minutes; only
 * that one value is read per delivery (the rest of the configuration was validated at cold start).
 */
const currentSecret = async (shop: string) => {
  const known = secretNames.get(shop);
  if (!known) return undefined;
  return (await loadEnv())[known.name] || known.atStart;
};

let single = { secret: shops[0]?.config.SHOPIFY_WEBHOOK_SECRET ?? '', verify: createWebhookVerifier('') };
single.verify = createWebhookVerifier(single.secret);

const verify: WebhookVerifier = severalShops
  ? createShopRoutedVerifier({
      secretOf: currentSecret,
      secrets: async () =>
        (await Promise.all([...secretNames.keys()].map(currentSecret))).filter((secret): secret is string =>
          Boolean(secret),
        ),
    })
  : async (body, headers) => {
      const secret = (await loadEnv()).SHOPIFY_WEBHOOK_SECRET || single.secret;
      if (secret !== single.secret) single = { secret, verify: createWebhookVerifier(secret) };
      return single.verify(body, headers);
    };

export const deps = createWebhookDeps(
  shops.map(({ config }) => config),
  { telemetry, verify },
  { severalShops },
);
