import { describe, expect, it } from 'vitest';
import { createWebhookVerifier } from '../../shared/adapters/shopify/webhook-verifier.js';
import { signWebhook, webhookHeaders } from '../sim/shopify/sign-webhook.js';

const secret = 'shpss_unit_secret';
const verify = createWebhookVerifier(secret);
const body = JSON.stringify({ id: 1, name: '#1', note: 'Grüße 🚚' });
const headers = (overrides: Record<string, string> = {}) => ({
  ...webhookHeaders({ topic: 'orders/create', shop: 'acme.myshopify.com', body, secret }),
  ...overrides,
});

describe('webhook HMAC verification', () => {
  it('accepts the HMAC of the exact UTF-8 bytes', async () => {
    expect(await verify(body, headers())).toEqual({ authentic: true, missingHeaders: [] });
  });

  it.each([
    [
      'a signature made with another secret',
      headers({ 'x-shopify-hmac-sha256': signWebhook(body, 'other') }),
    ],
    ['a truncated signature', headers({ 'x-shopify-hmac-sha256': signWebhook(body, secret).slice(0, 20) })],
    ['a hex instead of base64 signature', headers({ 'x-shopify-hmac-sha256': 'ab'.repeat(32) })],
    ['no signature header', headers({ 'x-shopify-hmac-sha256': '' })],
  ])('refuses %s', async (_name, given) => {
    expect((await verify(body, given)).authentic).toBe(false);
  });

  it('refuses a body changed by one character, even in a non-ASCII part', async () => {
    expect((await verify(body.replace('ü', 'u'), headers())).authentic).toBe(false);
  });

  it('refuses an empty body', async () => {
    expect((await verify('', headers({ 'x-shopify-hmac-sha256': signWebhook('', secret) }))).authentic).toBe(
      false,
    );
  });

  it('treats an authentic body with missing routing headers as authentic, naming what is missing', async () => {
    const result = await verify(body, headers({ 'x-shopify-topic': '', 'x-shopify-api-version': '' }));
    expect(result.authentic).toBe(true);
    expect(result.authentic && result.missingHeaders).toEqual(
      expect.arrayContaining(['X-Shopify-Topic', 'X-Shopify-API-Version']),
    );
  });
});
