import { createHmac, timingSafeEqual } from 'node:crypto';
import { unknownShopReason } from '../../domain/ports.js';
import { hmacKey } from '../hmac-key.js';

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
  // A KeyObject, made once: Node 24's createHmac costs about five times as much with a Buffer key.
  const key = hmacKey(secret);

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

/**
 * Several shops in one deployment: the HMAC is verified with the secret of the shop X-Shopify-Shop-Domain names, so a
 * body signed with shop A's secret that claims shop B is not authentic. A shop without a secret is not served
 * (`unknown_shop`). A delivery without the header is tried against each distinct secret (constant-time each), so an
 * authentic one is still recorded or quarantined, never dropped. Secrets are resolved per delivery (rotation); a
 * verifier is kept per secret value.
 */
export const createShopRoutedVerifier = (options: {
  /** the shop's current secret; undefined when the deployment does not serve the shop */
  secretOf: (shop: string) => Promise<string | undefined>;
  /** every shop's current secret, for a delivery that names no shop */
  secrets: () => Promise<readonly string[]>;
}): WebhookVerifier => {
  const verifiers = new Map<string, WebhookVerifier>();
  const verifierOf = (secret: string) => {
    let verifier = verifiers.get(secret);
    if (!verifier) {
      // Rotations are rare: the map holds the current and the previous secrets, nothing that grows.
      if (verifiers.size > 64) verifiers.clear();
      verifier = createWebhookVerifier(secret);
      verifiers.set(secret, verifier);
    }
    return verifier;
  };
  return async (rawBody, headers) => {
    const shop = headers['x-shopify-shop-domain']?.trim().toLowerCase() ?? '';
    if (shop !== '') {
      const secret = await options.secretOf(shop);
      if (!secret) return { authentic: false, reason: unknownShopReason };
      return verifierOf(secret)(rawBody, headers);
    }
    let last: WebhookVerification = { authentic: false, reason: 'missing_hmac' };
    for (const secret of new Set(await options.secrets())) {
      last = await verifierOf(secret)(rawBody, headers);
      if (last.authentic) return last;
    }
    return last;
  };
};
