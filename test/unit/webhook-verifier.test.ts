import { describe, expect, it } from 'vitest';
import { createWebhookVerifier } from '../../shared/adapters/shopify/webhook-verifier.js';
import { signWebhook, webhookHeaders } from '../../sim/shopify/sign-webhook.js';

const secret = 'shpss_unit_secret';
const verify = createWebhookVerifier(secret);
const text = JSON.stringify({ id: 1, name: '#1', note: 'Grüße 🚚' });
const body = Buffer.from(text, 'utf8');
const headers = (overrides: Record<string, string> = {}) => ({
  ...webhookHeaders({ topic: 'orders/create', shop: 'acme.myshopify.com', body: text, secret }),
  ...overrides,
});

describe('webhook HMAC verification', () => {
  it('accepts the HMAC of the exact UTF-8 bytes', async () => {
    expect(await verify(body, headers())).toEqual({ authentic: true, missingHeaders: [] });
  });

  it.each([
    [
      'a signature made with another secret',
      headers({ 'x-shopify-hmac-sha256': signWebhook(text, 'other') }),
    ],
    ['a truncated signature', headers({ 'x-shopify-hmac-sha256': signWebhook(text, secret).slice(0, 20) })],
    [
      'a signature with a byte too many',
      headers({ 'x-shopify-hmac-sha256': `${signWebhook(text, secret)}AA` }),
    ],
    ['a hex instead of base64 signature', headers({ 'x-shopify-hmac-sha256': 'ab'.repeat(32) })],
    ['a signature that is not base64', headers({ 'x-shopify-hmac-sha256': '%%%%not-base64%%%%' })],
    ['no signature header', headers({ 'x-shopify-hmac-sha256': '' })],
  ])('refuses %s', async (_name, given) => {
    expect((await verify(body, given)).authentic).toBe(false);
  });

  it('refuses a body changed by one character, even in a non-ASCII part', async () => {
    expect((await verify(Buffer.from(text.replace('ü', 'u')), headers())).authentic).toBe(false);
  });

  it('refuses the same text in another encoding: the signature covers bytes, not characters', async () => {
    expect((await verify(Buffer.from(text, 'latin1'), headers())).authentic).toBe(false);
  });

  it('refuses an empty body', async () => {
    expect(
      (await verify(Buffer.alloc(0), headers({ 'x-shopify-hmac-sha256': signWebhook('', secret) })))
        .authentic,
    ).toBe(false);
  });

  it('accepts an authentic body that is not valid UTF-8, so it can be quarantined rather than refused', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"id": 1, "name": "'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const result = await verify(bytes, headers({ 'x-shopify-hmac-sha256': signWebhook(bytes, secret) }));
    expect(result).toEqual({ authentic: true, missingHeaders: [] });
  });

  it('ignores surrounding whitespace in the signature header, as proxies sometimes add it', async () => {
    expect(
      (await verify(body, headers({ 'x-shopify-hmac-sha256': ` ${signWebhook(text, secret)} ` }))).authentic,
    ).toBe(true);
  });

  it('treats an authentic body with missing routing headers as authentic, naming what is missing', async () => {
    const result = await verify(body, headers({ 'x-shopify-topic': '', 'x-shopify-api-version': '' }));
    expect(result.authentic).toBe(true);
    expect(result.authentic && result.missingHeaders).toEqual(['X-Shopify-Topic', 'X-Shopify-API-Version']);
  });
});
