import { createWebhookVerifier } from '../../shared/adapters/shopify/webhook-verifier.js';
import { parseConfig, webhookSchema } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import type { WebhookVerifier } from '../../shared/domain/ports.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createWebhookDeps } from '../../shared/wiring/webhook.js';

const config = parseConfig(webhookSchema, await loadEnv());

export const { logger, metrics, telemetry } = createObservability();

let verifier = {
  secret: config.SHOPIFY_WEBHOOK_SECRET,
  verify: createWebhookVerifier(config.SHOPIFY_WEBHOOK_SECRET),
};

/**
 * The secret is re-read through Powertools' cache, so a rotated client secret is picked up within minutes; only
 * that one value is read per delivery (the rest of the configuration was validated at cold start).
 */
const verify: WebhookVerifier = async (body, headers) => {
  const secret = (await loadEnv()).SHOPIFY_WEBHOOK_SECRET || config.SHOPIFY_WEBHOOK_SECRET;
  if (secret !== verifier.secret) verifier = { secret, verify: createWebhookVerifier(secret) };
  return verifier.verify(body, headers);
};

export const deps = createWebhookDeps(config, { telemetry, verify });
