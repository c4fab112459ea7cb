import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookVerification =
  | { authentic: false; reason: string }
  | { authentic: true; missingHeaders: string[] };

/** Headers Shopify sends with every delivery besides the signature; their absence does not make a body forged. */
const routingHeaders = [
  ['x-shopify-topic', 'X-Shopify-Topic'],
  ['x-shopify-shop-domain', 'X-Shopify-Shop-Domain'],
  ['x-shopify-api-version', 'X-Shopify-API-Version'],
  ['x-shopify-webhook-id', 'X-Shopify-Webhook-Id'],
] as const;

const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Verifies Shopify's `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 with the app's client secret) over the raw body
 * bytes exactly as they arrived, so a body that is not valid UTF-8 is still verified, and then quarantined rather
 * than refused. The comparison is constant-time on equal-length digests; only node:crypto is needed, which keeps
 * the webhook bundle small (no Admin API library on the hot path).
 */
export const createWebhookVerifier = (secret: string) => {
  const key = Buffer.from(secret, 'utf8');

  return async (rawBody: Uint8Array, headers: Record<string, string>): Promise<WebhookVerification> => {
    const signature = headers['x-shopify-hmac-sha256']?.trim() ?? '';
    if (signature === '') return { authentic: false, reason: 'missing_hmac' };
    if (rawBody.byteLength === 0) return { authentic: false, reason: 'empty_body' };
    if (!base64Pattern.test(signature)) return { authentic: false, reason: 'invalid_hmac' };

    const expected = createHmac('sha256', key).update(rawBody).digest();
    const given = Buffer.from(signature, 'base64');
    // timingSafeEqual throws on different lengths; a truncated or padded signature is simply not authentic.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { authentic: false, reason: 'invalid_hmac' };
    }
    const missingHeaders = routingHeaders
      .filter(([name]) => (headers[name]?.trim() ?? '') === '')
      .map(([, display]) => display);
    return { authentic: true, missingHeaders };
  };
};

export type WebhookVerifier = ReturnType<typeof createWebhookVerifier>;
