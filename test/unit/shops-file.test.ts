import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createShopRoutedVerifier } from '../../shared/adapters/shopify/webhook-verifier.js';
import { ConfigError, checkerSchema, webhookSchema } from '../../shared/config/config.js';
import { parseShops, shopChannels } from '../../shared/config/shops.js';
import { signWebhook } from '../../sim/shopify/sign-webhook.js';

const deployment = {
  TABLE_NAME: 'orders',
  CHECK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/checks',
  NOTIFY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/notify',
  QUARANTINE_BUCKET: 'quarantine',
  HOTWAX_BASE_URL: 'https://acme.hotwax.io',
  HOTWAX_API_TOKEN: 'jwt',
  SHOPIFY_WEBHOOK_SECRET: 'shared-app-secret',
  SHOPIFY_ADMIN_TOKEN_US: 'shpat_us',
  SHOPIFY_ADMIN_TOKEN_EU: 'shpat_eu',
  SHOPIFY_WEBHOOK_SECRET_EU: 'eu-custom-app-secret',
};

const fileOf = (content: unknown) => {
  const path = join(mkdtempSync(join(tmpdir(), 'shops-unit-')), 'shops.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

const shops = {
  shops: [
    {
      shop: 'acme-us.myshopify.com',
      hotwax: { shopId: 'SHOP_US', shopifyConfigId: 'SHOPIFY_US', productStoreId: 'STORE' },
      secrets: { adminToken: 'SHOPIFY_ADMIN_TOKEN_US' },
      overrides: { CHECK_DELAY_SECONDS: 900 },
    },
    {
      shop: 'acme-eu.myshopify.com',
      hotwax: {
        shopId: 'SHOP_EU',
        shopifyConfigId: 'SHOPIFY_EU',
        productStoreId: 'STORE_EU',
        systemMessageRemoteId: 'EU_FALLBACK',
      },
      secrets: { webhookSecret: 'SHOPIFY_WEBHOOK_SECRET_EU', adminToken: 'SHOPIFY_ADMIN_TOKEN_EU' },
      slackChannelId: 'C0EUROPE',
    },
  ],
};

const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('SHOPS_FILE', () => {
  it('leaves a single-shop environment exactly as it was: one shop, from SHOPIFY_SHOP', () => {
    const [only, ...rest] = parseShops(checkerSchema, {
      ...deployment,
      SHOPIFY_SHOP: 'acme.myshopify.com',
      SHOPIFY_ADMIN_TOKEN: 'shpat_single',
      HOTWAX_SHOPIFY_CONFIG_ID: 'C',
      HOTWAX_SHOP_ID: 'S',
      HOTWAX_PRODUCT_STORE_ID: 'P',
    });
    expect(rest).toEqual([]);
    expect(only?.entry).toBeUndefined();
    expect(only?.config).toMatchObject({
      SHOPIFY_SHOP: 'acme.myshopify.com',
      SHOPIFY_ADMIN_TOKEN: 'shpat_single',
    });
  });

  it("gives each shop its own domain, HotWax ids, token found by name, and timings; the rest is the deployment's", () => {
    const [us, eu] = parseShops(checkerSchema, { ...deployment, SHOPS_FILE: fileOf(shops) }).map(
      ({ config }) => config,
    );
    expect(us).toMatchObject({
      SHOPIFY_SHOP: 'acme-us.myshopify.com',
      SHOPIFY_ADMIN_TOKEN: 'shpat_us',
      HOTWAX_SHOP_ID: 'SHOP_US',
      HOTWAX_SHOPIFY_CONFIG_ID: 'SHOPIFY_US',
      HOTWAX_SYSTEM_MESSAGE_REMOTE_ID: undefined,
      CHECK_DELAY_SECONDS: 900,
      HOTWAX_BASE_URL: 'https://acme.hotwax.io',
    });
    expect(eu).toMatchObject({
      SHOPIFY_SHOP: 'acme-eu.myshopify.com',
      SHOPIFY_ADMIN_TOKEN: 'shpat_eu',
      HOTWAX_PRODUCT_STORE_ID: 'STORE_EU',
      HOTWAX_SYSTEM_MESSAGE_REMOTE_ID: 'EU_FALLBACK',
      CHECK_DELAY_SECONDS: 600,
    });
  });

  it("uses the app's shared client secret for a shop that names none, and a custom app's own for one that does", () => {
    const secrets = parseShops(webhookSchema, { ...deployment, SHOPS_FILE: fileOf(shops) }).map(
      ({ config }) => config.SHOPIFY_WEBHOOK_SECRET,
    );
    expect(secrets).toEqual(['shared-app-secret', 'eu-custom-app-secret']);
  });

  it('routes Slack by the shops that name a channel', () => {
    expect(shopChannels({ SHOPS_FILE: fileOf(shops) })).toEqual({ 'acme-eu.myshopify.com': 'C0EUROPE' });
    expect(shopChannels({})).toEqual({});
  });

  it('lists a file that is missing, or not JSON, in one line', () => {
    expect(problemsOf(() => parseShops(checkerSchema, { SHOPS_FILE: '/nonexistent/shops.json' }))).toEqual([
      'SHOPS_FILE /nonexistent/shops.json cannot be read: ENOENT',
    ]);
    expect(problemsOf(() => parseShops(checkerSchema, { SHOPS_FILE: fileOf('{ shops: [') }))[0]).toMatch(
      /is not JSON/,
    );
  });

  it('lists every problem: duplicates, unknown fields, a secret given as a value, an unknown override', () => {
    const [us] = shops.shops;
    const problems = problemsOf(() =>
      parseShops(checkerSchema, {
        ...deployment,
        SHOPS_FILE: fileOf({
          shops: [
            us,
            { ...us, secrets: { adminToken: 'shpat_the-token-itself' } },
            {
              ...us,
              shop: 'acme-ca.myshopify.com',
              hotwax: { ...us?.hotwax, extra: 1 },
              overrides: { PORT: 1 },
            },
          ],
        }),
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /shops\[1\] \(acme-us\.myshopify\.com\) shop lists acme-us\.myshopify\.com again/,
        ),
        expect.stringMatching(/shops\[1\] .*secrets\.adminToken must be the NAME/),
        expect.stringMatching(/shops\[2\] \(acme-ca\.myshopify\.com\) hotwax/),
        expect.stringMatching(
          /shops\[2\] \(acme-ca\.myshopify\.com\) overrides.* may only set CHECK_DELAY_SECONDS/,
        ),
      ]),
    );
  });

  it("names an override's shop when its value is wrong", () => {
    const [us] = shops.shops;
    expect(
      problemsOf(() =>
        parseShops(checkerSchema, {
          ...deployment,
          SHOPS_FILE: fileOf({ shops: [{ ...us, overrides: { CHECK_DELAY_SECONDS: 'soon' } }] }),
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^SHOPS_FILE acme-us\.myshopify\.com: overrides\.CHECK_DELAY_SECONDS /),
    ]);
  });
});

describe('the shop-routed webhook verifier', () => {
  const secrets: Record<string, string> = { 'a.myshopify.com': 'secret-a', 'b.myshopify.com': 'secret-b' };
  const verify = createShopRoutedVerifier({
    secretOf: async (shop) => secrets[shop],
    secrets: async () => Object.values(secrets),
  });
  const body = Buffer.from('{"id":1}');
  const headers = (shop: string | undefined, secret: string) => ({
    'x-shopify-hmac-sha256': signWebhook(body, secret),
    'x-shopify-topic': 'orders/create',
    ...(shop ? { 'x-shopify-shop-domain': shop } : {}),
  });

  it("accepts a body signed with its shop's secret", async () => {
    expect(await verify(body, headers('a.myshopify.com', 'secret-a'))).toMatchObject({ authentic: true });
  });

  it("refuses a body signed with shop A's secret that claims shop B", async () => {
    expect(await verify(body, headers('b.myshopify.com', 'secret-a'))).toEqual({
      authentic: false,
      reason: 'invalid_hmac',
    });
  });

  it('answers unknown_shop for a shop it has no secret for, whatever the signature', async () => {
    expect(await verify(body, headers('c.myshopify.com', 'secret-a'))).toEqual({
      authentic: false,
      reason: 'unknown_shop',
    });
  });

  it('still verifies a delivery that names no shop against every secret, so it is quarantined, not dropped', async () => {
    expect(await verify(body, headers(undefined, 'secret-b'))).toMatchObject({ authentic: true });
    expect(await verify(body, headers(undefined, 'other'))).toMatchObject({ authentic: false });
  });
});
