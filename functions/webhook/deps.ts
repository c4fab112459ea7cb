import { fromEnv } from '@aws-sdk/credential-provider-env';
import { createSecretReader } from '../../shared/adapters/aws/secret-reader.js';
import { createWebhookVerifier } from '../../shared/adapters/shopify/webhook-verifier.js';
import { parseConfig, webhookSchema } from '../../shared/config/config.js';
import { mergeSecrets } from '../../shared/config/load-env.js';
import type { WebhookVerifier } from '../../shared/domain/ports.js';
import { createLeanObservability } from '../../shared/observability/lean-observability.js';
import { createWebhookDeps } from '../../shared/wiring/webhook.js';

/** Lambda gives the role's credentials in the environment; secrets are read only there (CONFIG_SECRET_ARNS). */
const readSecret = createSecretReader({
  region: process.env.AWS_REGION ?? 'us-east-1',
  credentials: fromEnv(),
});
const loadEnv = () => mergeSecrets(process.env, 300, readSecret);

const config = parseConfig(webhookSchema, await loadEnv());

/** Powertools' log and EMF shapes without Powertools: this is the function Shopify waits on (cold start). */
export const observability = createLeanObservability();
const { telemetry } = observability;

let verifier = {
  secret: config.SHOPIFY_WEBHOOK_SECRET,
  verify: createWebhookVerifier(config.SHOPIFY_WEBHOOK_SECRET),
};

/**
 * The secret is re-read through a five-minute cache, so a rotated client secret is picked up within minutes; only
 * that one value is read per delivery (the rest of the configuration was validated at cold start).
 */
const verify: WebhookVerifier = async (body, headers) => {
  const secret = (await loadEnv()).SHOPIFY_WEBHOOK_SECRET || config.SHOPIFY_WEBHOOK_SECRET;
  if (secret !== verifier.secret) verifier = { secret, verify: createWebhookVerifier(secret) };
  return verifier.verify(body, headers);
};

export const deps = createWebhookDeps(config, { telemetry, verify });
