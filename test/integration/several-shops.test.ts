import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import {
  type ConfigError,
  checkerSchema,
  notifierSchema,
  parseConfig,
  sweeperSchema,
} from '../../shared/config/config.js';
import { parseShops, shopChannels } from '../../shared/config/shops.js';
import type { CheckMessage } from '../../shared/domain/order-sync.js';
import type { Notification, Telemetry } from '../../shared/domain/ports.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { checkOrders } from '../../shared/use-cases/check-orders/check-orders.js';
import { sweepShops } from '../../shared/use-cases/sweep-orders/sweep-shops.js';
import { createCheckerDeps } from '../../shared/wiring/checker.js';
import { createNotifierDeps } from '../../shared/wiring/notifier.js';
import { createShopSweeps } from '../../shared/wiring/sweeper.js';
import { type HotwaxSim, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';
import { type ShopifySim, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../../sim/shopify/order-payload.js';
import { webhookHeaders } from '../../sim/shopify/sign-webhook.js';
import { type SlackSim, startSlackSim } from '../../sim/slack/slack-sim.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { monitorEnv, setEnv } from '../support/backends.js';
import { httpApiEvent, lambdaContext } from '../support/http-event.js';
import { importWebhookBundle } from '../support/webhook-bundle.js';

/**
 * One deployment, three shops of one retailer in one HotWax tenant (SHOPS_FILE): the US and EU shops are custom apps
 * with their own client secrets, the CA shop shares the app's SHOPIFY_WEBHOOK_SECRET and its HotWax Shopify config
 * id is mistyped. Real DynamoDB Local and fauxqs, the HotWax, Shopify and Slack simulators, the functions' own wiring.
 */
const us = 'acme-us.myshopify.com';
const eu = 'acme-eu.myshopify.com';
const ca = 'acme-ca.myshopify.com';
const secrets = { us: 'shpss_us_custom_app', eu: 'shpss_eu_custom_app', shared: 'shpss_shared_app' };
const channels = { default: 'C0DEFAULT', eu: 'C0EUROPE' };

let aws: TestAws;
let hotwax: HotwaxSim;
const shopify: Record<'us' | 'eu' | 'ca', ShopifySim> = {} as never;
let slack: SlackSim;
let env: Record<string, string>;
let shopsFile: string;
const store = () => createOrderRepository({ client: aws.doc, tableName: aws.tableName });

const entry = (
  shop: string,
  sim: ShopifySim,
  ids: Record<string, string>,
  extra: Record<string, unknown> = {},
) => ({
  shop,
  hotwax: ids,
  secrets: { adminToken: `SHOPIFY_ADMIN_TOKEN_${shop.slice(5, 7).toUpperCase()}` },
  overrides: { SHOPIFY_ADMIN_URL: sim.url, CHECK_DELAY_SECONDS: 0, IMPORT_JOB_COOLDOWN_SECONDS: 600 },
  ...extra,
});

const shopEntries = () => ({
  us: entry(
    us,
    shopify.us,
    { shopId: 'SHOP_US', shopifyConfigId: 'SHOPIFY_US', productStoreId: 'STORE' },
    { secrets: { webhookSecret: 'SHOPIFY_WEBHOOK_SECRET_US', adminToken: 'SHOPIFY_ADMIN_TOKEN_US' } },
  ),
  eu: entry(
    eu,
    shopify.eu,
    { shopId: 'SHOP_EU', shopifyConfigId: 'SHOPIFY_EU', productStoreId: 'STORE' },
    {
      secrets: { webhookSecret: 'SHOPIFY_WEBHOOK_SECRET_EU', adminToken: 'SHOPIFY_ADMIN_TOKEN_EU' },
      slackChannelId: channels.eu,
    },
  ),
  // A typo in the CA shop's HotWax Shopify config id: HotWax knows SHOPIFY_CA, not SHOPIFY_CAN.
  ca: entry(ca, shopify.ca, { shopId: 'SHOP_CA', shopifyConfigId: 'SHOPIFY_CAN', productStoreId: 'STORE' }),
});

const writeShops = (...shops: Array<ReturnType<typeof shopEntries>[keyof ReturnType<typeof shopEntries>]>) =>
  writeFileSync(shopsFile, JSON.stringify({ shops }, null, 2));

beforeAll(async () => {
  aws = await createTestAws();
  hotwax = await startHotwaxSim({
    backend: 'ofbiz',
    shopifyConfigId: 'SHOPIFY_US',
    shopId: 'SHOP_US',
    otherShopifyConfigIds: ['SHOPIFY_EU', 'SHOPIFY_CA'],
    importDelayMs: 50,
  });
  for (const [key, shop] of [
    ['us', us],
    ['eu', eu],
    ['ca', ca],
  ] as const) {
    shopify[key] = await startShopifySim({
      shop,
      accessToken: `shpat_${key}`,
      bucketSize: 20_000,
      restoreRate: 10_000,
    });
  }
  slack = await startSlackSim({ channels: [channels.default, channels.eu] });
  const checkQueue = await aws.createQueue('checks');
  const notifyQueue = await aws.createQueue('notify');
  const bucket = `quarantine-${aws.suffix}`;
  await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  shopsFile = join(mkdtempSync(join(tmpdir(), 'shops-')), 'shops.json');
  env = {
    ...aws.env,
    ...monitorEnv(hotwax, { auth: 'token' }),
    TABLE_NAME: aws.tableName,
    CHECK_QUEUE_URL: checkQueue.url,
    NOTIFY_QUEUE_URL: notifyQueue.url,
    QUARANTINE_BUCKET: bucket,
    SHOPIFY_API_VERSION: shopify.us.apiVersion,
    SHOPIFY_WEBHOOK_SECRET: secrets.shared,
    SHOPIFY_WEBHOOK_SECRET_US: secrets.us,
    SHOPIFY_WEBHOOK_SECRET_EU: secrets.eu,
    SHOPIFY_ADMIN_TOKEN_US: shopify.us.accessToken,
    SHOPIFY_ADMIN_TOKEN_EU: shopify.eu.accessToken,
    SHOPIFY_ADMIN_TOKEN_CA: shopify.ca.accessToken,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.apiUrl,
    SLACK_CHANNEL_ID: channels.default,
    SWEEP_SETTLE_SECONDS: '0',
    SHOPS_FILE: shopsFile,
  };
  // The single-shop variables are not set: every shop comes from the file.
  for (const key of ['SHOPIFY_SHOP', 'SHOPIFY_ADMIN_TOKEN', 'SHOPIFY_ADMIN_URL', 'HOTWAX_SHOP_ID'])
    delete env[key];
  const { HOTWAX_SHOPIFY_CONFIG_ID: _c, HOTWAX_SHOP_ID: _s, HOTWAX_PRODUCT_STORE_ID: _p, ...tenant } = env;
  env = tenant as Record<string, string>;
  const all = shopEntries();
  writeShops(all.us, all.eu, all.ca);
});

afterAll(async () => {
  await hotwax?.stop();
  await Promise.allSettled(Object.values(shopify).map((sim) => sim.stop()));
  await slack?.close();
  aws?.destroy();
});

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/** The webhook function as Lambda starts it: a fresh module reading the environment and SHOPS_FILE. */
const coldStartWebhook = async (): Promise<Handler> => {
  vi.resetModules();
  setEnv({ SHOPIFY_SHOP: undefined, SHOPIFY_ADMIN_TOKEN: undefined, ...env });
  return importWebhookBundle();
};

const deliver = async (
  handler: Handler,
  options: { shop: string; secret: string; orderId?: number; topic?: string },
) => {
  const id = options.orderId ?? nextOrderId();
  const body = JSON.stringify(buildOrderPayload({ id, sourceName: 'web' }));
  const response = await handler(
    httpApiEvent({
      method: 'POST',
      path: '/webhooks/shopify',
      headers: webhookHeaders({
        topic: options.topic ?? 'orders/create',
        shop: options.shop,
        body,
        secret: options.secret,
      }),
      body,
    }),
    lambdaContext('webhook'),
  );
  return { id: String(id), statusCode: response.statusCode };
};

const recordsOf = async (orderId: string) => (await store().getWithTimeline(orderId)).records;

describe('several shops in one deployment (SHOPS_FILE)', () => {
  describe('webhooks: each shop verified with its own secret', () => {
    let webhook: Handler;
    beforeAll(async () => {
      webhook = await coldStartWebhook();
    });

    it("records each shop's delivery signed with that shop's secret, and the shared app's", async () => {
      for (const [shop, secret] of [
        [us, secrets.us],
        [eu, secrets.eu],
        [ca, secrets.shared],
      ] as const) {
        const delivery = await deliver(webhook, { shop, secret });
        expect(delivery.statusCode).toBe(200);
        expect((await recordsOf(delivery.id)).map((record) => record.shop)).toEqual([shop]);
      }
    });

    it("refuses (401) a body signed with the US shop's secret that claims the EU shop, and stores nothing", async () => {
      const delivery = await deliver(webhook, { shop: eu, secret: secrets.us });
      expect(delivery.statusCode).toBe(401);
      expect(await recordsOf(delivery.id)).toEqual([]);
    });

    it("refuses (401) the shared app's secret for a shop that has a custom app of its own", async () => {
      const delivery = await deliver(webhook, { shop: us, secret: secrets.shared });
      expect(delivery.statusCode).toBe(401);
      expect(await recordsOf(delivery.id)).toEqual([]);
    });

    it('refuses (403) a shop the file does not list, whatever it is signed with, and stores it nowhere', async () => {
      for (const secret of [secrets.shared, secrets.us]) {
        const delivery = await deliver(webhook, { shop: 'acme-mx.myshopify.com', secret });
        expect(delivery.statusCode).toBe(403);
        expect(await recordsOf(delivery.id)).toEqual([]);
      }
      const { Items = [] } = await aws.doc.send(
        new ScanCommand({
          TableName: aws.tableName,
          FilterExpression: 'contains(pk, :shop) OR #shop = :shop',
          ExpressionAttributeNames: { '#shop': 'shop' },
          ExpressionAttributeValues: { ':shop': 'acme-mx.myshopify.com' },
        }),
      );
      expect(Items).toEqual([]);
    });

    it('keeps the same order id of two shops as two records', async () => {
      const orderId = nextOrderId();
      expect((await deliver(webhook, { shop: us, secret: secrets.us, orderId })).statusCode).toBe(200);
      expect((await deliver(webhook, { shop: eu, secret: secrets.eu, orderId })).statusCode).toBe(200);
      expect((await recordsOf(String(orderId))).map((record) => record.shop).sort()).toEqual([eu, us]);
    });
  });

  describe('a shop added to the file between two runs', () => {
    it('is refused before, served after a redeploy, and the other shops keep their records', async () => {
      const all = shopEntries();
      writeShops(all.us, all.eu);
      const before = await coldStartWebhook();
      const kept = await deliver(before, { shop: us, secret: secrets.us });
      expect((await deliver(before, { shop: ca, secret: secrets.shared })).statusCode).toBe(403);

      writeShops(all.us, all.eu, all.ca);
      const after = await coldStartWebhook();
      const added = await deliver(after, { shop: ca, secret: secrets.shared });
      expect(added.statusCode).toBe(200);
      expect((await recordsOf(added.id))[0]?.shop).toBe(ca);
      // Nothing migrated: the first run's record is where it was.
      expect((await recordsOf(kept.id))[0]?.shop).toBe(us);
    });
  });

  describe('configuration', () => {
    it('lists every problem of every shop at once, each naming its shop', () => {
      const broken = join(mkdtempSync(join(tmpdir(), 'shops-')), 'shops.json');
      writeFileSync(
        broken,
        JSON.stringify({
          shops: [
            {
              shop: 'acme-us.example.com',
              hotwax: { shopId: 'S', shopifyConfigId: 'C', productStoreId: 'P' },
              secrets: { adminToken: 'T' },
            },
            {
              shop: eu,
              hotwax: { shopId: '', shopifyConfigId: 'C' },
              secrets: { adminToken: 'shpat_real_value!' },
            },
            {
              shop: ca,
              hotwax: { shopId: 'S', shopifyConfigId: 'C', productStoreId: 'P' },
              secrets: { adminToken: 'UNSET_TOKEN' },
              overrides: { CHECK_DELAY_SECONDS: 'soon', NOT_A_SETTING: 1 },
            },
          ],
        }),
      );
      const problems = (() => {
        try {
          parseShops(checkerSchema, { ...env, SHOPS_FILE: broken });
          return [];
        } catch (error) {
          return (error as ConfigError).problems;
        }
      })();
      expect(problems.join('\n')).toMatch(
        /shops\[0\] \(acme-us\.example\.com\) shop must look like <name>\.myshopify\.com/,
      );
      expect(problems.join('\n')).toMatch(
        /shops\[1\] \(acme-eu\.myshopify\.com\) hotwax\.shopId must be HotWax's shop id/,
      );
      expect(problems.join('\n')).toMatch(/shops\[1\] \(acme-eu\.myshopify\.com\) hotwax\.productStoreId/);
      expect(problems.join('\n')).toMatch(
        /shops\[1\] \(acme-eu\.myshopify\.com\) secrets\.adminToken must be the NAME/,
      );
      expect(problems.join('\n')).toMatch(/shops\[2\] \(acme-ca\.myshopify\.com\) overrides/);
    });

    it("names the secret a shop's file entry points at when it is not set", () => {
      const all = shopEntries();
      const file = join(mkdtempSync(join(tmpdir(), 'shops-')), 'shops.json');
      writeFileSync(
        file,
        JSON.stringify({
          shops: [all.us, { ...all.ca, secrets: { adminToken: 'SHOPIFY_ADMIN_TOKEN_NOPE' } }],
        }),
      );
      expect(() => parseShops(checkerSchema, { ...env, SHOPS_FILE: file })).toThrow(
        /SHOPS_FILE acme-ca\.myshopify\.com: secrets\.adminToken names SHOPIFY_ADMIN_TOKEN_NOPE, which is not set/,
      );
    });
  });

  describe('the checker: each order under its own shop', () => {
    it("checks a mixed batch with each shop's HotWax ids; the mistyped shop fails alone, with its own error", async () => {
      const deps = createCheckerDeps(
        parseShops(checkerSchema, env).map(({ config }) => config),
        { credentials: aws.credentials },
      );
      const webhook = await coldStartWebhook();
      // US: in HotWax already. EU: the import missed it (queued in HotWax). CA: missing, HotWax config id mistyped.
      const inSync = await deliver(webhook, { shop: us, secret: secrets.us });
      hotwax.addOrder({ externalId: inSync.id, statusId: 'ORDER_APPROVED' });
      const missed = await deliver(webhook, { shop: eu, secret: secrets.eu });
      hotwax.queueShopifyOrder({
        shopifyOrderId: missed.id,
        channel: 'web',
        importAs: 'ORDER_APPROVED',
        shopifyConfigId: 'SHOPIFY_EU',
      });
      const broken = await deliver(webhook, { shop: ca, secret: secrets.shared });
      for (const [sim, order] of [
        [shopify.us, inSync],
        [shopify.eu, missed],
        [shopify.ca, broken],
      ] as const) {
        await sim.addOrder(buildOrderPayload({ id: Number(order.id), sourceName: 'web' }) as never);
      }
      hotwax.clearCalls();

      const messages: CheckMessage[] = [
        { v: 1, shop: us, orderId: inSync.id, reason: 'created', dueAt: 0 },
        { v: 1, shop: eu, orderId: missed.id, reason: 'created', dueAt: 0 },
        { v: 1, shop: ca, orderId: broken.id, reason: 'created', dueAt: 0 },
      ];
      const records = await store().getMany(messages.map(({ shop, orderId }) => ({ shop, orderId })));
      const due = messages.map((message) => ({
        ...message,
        dueAt:
          records.find((record) => record.shop === message.shop && record.orderId === message.orderId)
            ?.nextCheckAt ?? 0,
      }));
      const results = await checkOrders(deps, due);

      expect(results[0]).toMatchObject({ outcome: 'checked' });
      expect((await store().get({ shop: us, orderId: inSync.id }))?.state).toBe('in_sync');
      expect(results[1]).toMatchObject({ outcome: 'checked' });
      expect((await store().get({ shop: eu, orderId: missed.id }))?.state).toBe('reimport_requested');
      expect(results[2]?.outcome).toBe('failed');
      expect(String(results[2]?.error?.message)).toMatch(/ShopifyConfig \[SHOPIFY_CAN\] not found/);
      expect(String(results[2]?.error?.message)).toContain(ca);

      // The re-import ran under the EU shop's Shopify config; nothing ran under the US shop's.
      const runs = hotwax.calls.filter((call) => call.endpoint === 'scheduleService');
      expect(runs.map((call) => (call.body as { shopifyConfigId?: string }).shopifyConfigId).sort()).toEqual([
        'SHOPIFY_CAN',
        'SHOPIFY_EU',
      ]);
      // The New Orders claim and its cooldown are the EU shop's: the CA shop's failed run gave its claim back.
      const { Items = [] } = await aws.doc.send(
        new ScanCommand({
          TableName: aws.tableName,
          FilterExpression: 'begins_with(pk, :job)',
          ExpressionAttributeValues: { ':job': 'JOB#' },
        }),
      );
      expect(Items.map((item) => String(item.pk).split('#')[1])).toEqual([eu]);

      // Within the EU shop's cooldown, a US order missing gets its own run: the cooldown is per shop.
      const usMissed = await deliver(webhook, { shop: us, secret: secrets.us });
      hotwax.queueShopifyOrder({ shopifyOrderId: usMissed.id, channel: 'web', importAs: 'ORDER_APPROVED' });
      await shopify.us.addOrder(buildOrderPayload({ id: Number(usMissed.id), sourceName: 'web' }) as never);
      const euMissedAgain = await deliver(webhook, { shop: eu, secret: secrets.eu });
      hotwax.queueShopifyOrder({
        shopifyOrderId: euMissedAgain.id,
        channel: 'web',
        importAs: 'ORDER_APPROVED',
        shopifyConfigId: 'SHOPIFY_EU',
      });
      await shopify.eu.addOrder(
        buildOrderPayload({ id: Number(euMissedAgain.id), sourceName: 'web' }) as never,
      );
      expect([usMissed.statusCode, euMissedAgain.statusCode]).toEqual([200, 200]);
      hotwax.clearCalls();
      const second = await store().getMany([
        { shop: us, orderId: usMissed.id },
        { shop: eu, orderId: euMissedAgain.id },
      ]);
      await checkOrders(
        deps,
        [...second.values()].map((record) => ({
          v: 1 as const,
          shop: record.shop,
          orderId: record.orderId,
          reason: 'created' as const,
          dueAt: record.nextCheckAt ?? 0,
        })),
      );
      // The US order was re-imported under its own shop's config (its state says which decision was taken).
      expect((await store().get({ shop: us, orderId: usMissed.id }))?.state).toBe('reimport_requested');
      const secondRuns = hotwax.calls.filter((call) => call.endpoint === 'scheduleService');
      expect(secondRuns.map((call) => (call.body as { shopifyConfigId?: string }).shopifyConfigId)).toEqual([
        'SHOPIFY_US',
      ]);
    });
  });

  describe('the sweep: each shop its own lease and checkpoint', () => {
    it("sweeps every shop's orders into that shop's records; a shop Shopify refuses fails alone", async () => {
      const lost = { us: nextOrderId(), eu: nextOrderId(), ca: nextOrderId() };
      // Orders whose webhooks never came (no delivery target is set on the simulators).
      for (const key of ['us', 'eu', 'ca'] as const) {
        await shopify[key].addOrder(
          buildOrderPayload({
            id: lost[key],
            sourceName: 'web',
            updatedAt: new Date(Date.now() - 120_000).toISOString(),
          }) as never,
        );
      }
      shopify.eu.expireToken();
      const errors: Array<Record<string, unknown> | undefined> = [];
      const telemetry: Telemetry = { ...silentTelemetry, error: (_message, detail) => errors.push(detail) };
      const sweeps = createShopSweeps(
        parseShops(sweeperSchema, env).map(({ config }) => config),
        { credentials: aws.credentials, telemetry },
      );
      const now = Date.now();
      const summary = await sweepShops(
        sweeps,
        { now, deadline: now + 60_000, sinceMs: 3_600_000 },
        telemetry,
      );

      expect(summary.shops.map((shop) => shop.shop).sort()).toEqual([ca, us]);
      expect(summary.failed.map((failure) => failure.shop)).toEqual([eu]);
      expect((await recordsOf(String(lost.us))).map((record) => record.shop)).toEqual([us]);
      expect((await recordsOf(String(lost.ca))).map((record) => record.shop)).toEqual([ca]);
      expect(await recordsOf(String(lost.eu))).toEqual([]);
      const { Items = [] } = await aws.doc.send(
        new ScanCommand({
          TableName: aws.tableName,
          FilterExpression: 'begins_with(pk, :sweep)',
          ExpressionAttributeValues: { ':sweep': 'SWEEP#' },
        }),
      );
      const checkpoints = new Map(Items.map((item) => [String(item.pk).slice('SWEEP#'.length), item]));
      expect([...checkpoints.keys()].sort()).toEqual([ca, eu, us]);
      // Every lease was given back, the failing shop's too.
      for (const item of checkpoints.values()) expect(item.leaseOwner ?? null).toBeNull();
      shopify.eu.setAccessToken(shopify.eu.accessToken);
    });
  });

  describe('Slack: each shop to its own channel', () => {
    it("posts the EU shop's messages to its channel, the others' to the default one, each naming its shop", async () => {
      const { notifications } = createNotifierDeps(parseConfig(notifierSchema, env), {
        credentials: aws.credentials,
        shopChannels: shopChannels(env),
        write: () => {},
      });
      const notification = (shop: string): Notification => ({
        kind: 'needs_human',
        shop,
        order: {
          orderId: String(nextOrderId()),
          orderName: '#1001',
          channel: 'web',
          state: 'blocked_on_data',
          outOfSyncSince: Date.now() - 60_000,
          shopifyUrl: `https://${shop}/admin/orders/1`,
        },
        title: 'Import failed: the shipping address has no phone',
        at: Date.now(),
      });
      const before = slack.messages.length;
      const outcomes = await notifications.sendBatch(
        [us, eu, ca].map((shop, index) => ({ id: String(index), notification: notification(shop) })),
      );
      expect([...outcomes.values()].every((outcome) => outcome.ok)).toBe(true);
      const posted = slack.messages
        .slice(before)
        .map((message) => ({ channel: message.channel, text: message.text }));
      expect(posted).toEqual([
        { channel: channels.default, text: expect.stringContaining(` — ${us} — `) },
        { channel: channels.eu, text: expect.stringContaining(` — ${eu} — `) },
        { channel: channels.default, text: expect.stringContaining(` — ${ca} — `) },
      ]);
    });
  });
});
