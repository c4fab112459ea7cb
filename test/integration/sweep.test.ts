import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHotwaxRepairJournal } from '../../shared/adapters/dynamo/hotwax-repair-journal.js';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import { createSweepCheckpointStore } from '../../shared/adapters/dynamo/sweep-checkpoint-store.js';
import { createShopifyAdmin, type ShopifyAdmin } from '../../shared/adapters/shopify/admin-client.js';
import { ShopifyAccessDeniedError } from '../../shared/adapters/shopify/admin-errors.js';
import { checkerSchema, parseConfig, sweeperSchema, webhookSchema } from '../../shared/config/config.js';
import { MetricName } from '../../shared/domain/metric-names.js';
import type { CheckMessage } from '../../shared/domain/order-sync.js';
import type { Notification, OrderRepository, SweepCheckpoints } from '../../shared/domain/ports.js';
import { silentTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { checkOrders } from '../../shared/use-cases/check-orders/check-orders.js';
import {
  type IngestWebhookDeps,
  ingestWebhook,
} from '../../shared/use-cases/ingest-webhook/ingest-webhook.js';
import {
  type SweepOrdersDeps,
  type SweepSettings,
  sweepOrders,
} from '../../shared/use-cases/sweep-orders/sweep-orders.js';
import { createCheckerDeps } from '../../shared/wiring/checker.js';
import { createSweeperDeps } from '../../shared/wiring/sweeper.js';
import { createWebhookDeps } from '../../shared/wiring/webhook.js';
import {
  type HotwaxSim,
  realtimeConsumer,
  simFallbackJobName,
  startHotwaxSim,
} from '../../sim/hotwax/hotwax-sim.js';
import { startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload } from '../../sim/shopify/order-payload.js';
import { webhookHeaders } from '../../sim/shopify/sign-webhook.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { type Backend, backends, monitorEnv, setEnv } from '../support/backends.js';
import { lambdaContext } from '../support/http-event.js';

const secret = 'shpss_sweep_test_secret';
const minute = 60_000;

let aws: TestAws;
const cleanups: Array<() => Promise<unknown>> = [];
let scenarioCount = 0;

beforeAll(async () => {
  aws = await createTestAws();
});
afterAll(async () => {
  await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
  aws.destroy();
});

/** Counts what the use case emits, so tests can assert on metrics; `flows` keeps ImportFlowUnhealthy per flow. */
const recordingTelemetry = () => {
  const counts = new Map<string, number[]>();
  const flows: Array<[flow: string | undefined, value: number]> = [];
  const telemetry: Telemetry = {
    ...silentTelemetry,
    count(name, value = 1, dimensions) {
      counts.set(name, [...(counts.get(name) ?? []), value]);
      if (name === MetricName.ImportFlowUnhealthy) flows.push([dimensions?.flow, value]);
    },
  };
  return { telemetry, counts, flows };
};

const drain = async <T>(queueUrl: string): Promise<T[]> => {
  const all: T[] = [];
  for (let quiet = 0; quiet < 2; ) {
    const batch = await aws.receiveJson<T>(queueUrl);
    if (batch.length === 0) {
      quiet += 1;
      await sleep(50);
      continue;
    }
    all.push(...batch);
  }
  return all;
};

/**
 * One shop of its own: a Shopify simulator delivering signed webhooks to a receiver that records them with the
 * webhook use case and real adapters, its own check and notify queues, and the sweep's dependencies with the
 * HotWax tenant `hotwax`.
 */
const shopScenario = async (hotwax: HotwaxSim, simOptions: Parameters<typeof startShopifySim>[0] = {}) => {
  scenarioCount += 1;
  const shop = `sweep-${scenarioCount}-${aws.suffix}.myshopify.com`;
  // A generous bucket keeps these tests quick; the bench measures the sweep at Shopify's real rates.
  const sim = await startShopifySim({ shop, bucketSize: 20_000, restoreRate: 10_000, ...simOptions });
  const checkQueueUrl = (await aws.createQueue(`checks-${scenarioCount}`)).url;
  const notifyQueueUrl = (await aws.createQueue(`notify-${scenarioCount}`)).url;
  // The functions' own wiring, pointed at this shop's queues: checks due at once, no payload quarantined.
  const env = {
    ...aws.env,
    ...monitorEnv(hotwax, { auth: 'token' }),
    TABLE_NAME: aws.tableName,
    CHECK_QUEUE_URL: checkQueueUrl,
    NOTIFY_QUEUE_URL: notifyQueueUrl,
    SHOPIFY_SHOP: shop,
    SHOPIFY_ADMIN_TOKEN: sim.accessToken,
    SHOPIFY_API_VERSION: sim.apiVersion,
    SHOPIFY_ADMIN_URL: sim.url,
    SHOPIFY_WEBHOOK_SECRET: secret,
    QUARANTINE_BUCKET: 'unused',
    CHECK_DELAY_SECONDS: '0',
    FULFILLED_CHECK_DELAY_SECONDS: '0',
  };
  const store = createOrderRepository({ client: aws.doc, tableName: aws.tableName });
  const checkpoints = createSweepCheckpointStore({ client: aws.doc, tableName: aws.tableName });
  const ingestDeps: IngestWebhookDeps = createWebhookDeps(parseConfig(webhookSchema, env), {
    credentials: aws.credentials,
    store,
    quarantine: {
      put: async () => {
        throw new Error('no payload should be quarantined in these tests');
      },
    },
  });
  const deliver = async (
    topic: 'orders/create' | 'orders/fulfilled',
    payload: Record<string, unknown>,
    overrides: Partial<IngestWebhookDeps> = {},
  ) => {
    const body = JSON.stringify(payload);
    return ingestWebhook(
      { ...ingestDeps, ...overrides },
      { headers: webhookHeaders({ topic, shop, body, secret }), rawBody: Buffer.from(body) },
    );
  };

  const receiver: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
      );
      ingestWebhook(ingestDeps, { headers, rawBody: Buffer.concat(chunks) })
        .then((result) => response.writeHead(result.statusCode).end())
        .catch(() => response.writeHead(503).end());
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/shopify`;
  sim.emitWebhooksTo({ url: callbackUrl, secret });
  cleanups.push(
    () => sim.stop(),
    () => new Promise((resolve) => receiver.close(resolve)),
  );

  const shopify = createShopifyAdmin({
    shop,
    accessToken: sim.accessToken,
    apiVersion: sim.apiVersion,
    adminUrl: sim.url,
    timeoutMs: 5_000,
    throttle: { baseDelayMs: 5, maxDelayMs: 200 },
  });
  const recorder = recordingTelemetry();
  const sweeperDeps = createSweeperDeps(
    // Orders created a moment ago are due for their check at once and no webhook is "still on its way".
    parseConfig(sweeperSchema, { ...env, SWEEP_SETTLE_SECONDS: '0', WEBHOOK_CALLBACK_URL: callbackUrl }),
    { credentials: aws.credentials, shopify, store, checkpoints, telemetry: recorder.telemetry },
  );
  const settings: SweepSettings = { ...sweeperDeps.settings, pageSize: 50, stopBeforeDeadlineMs: 0 };
  const deps: SweepOrdersDeps = { ...sweeperDeps, settings };
  const sweep = (
    overrides: Partial<Omit<SweepOrdersDeps, 'settings'>> & { settings?: Partial<SweepSettings> } = {},
    options: { now?: number; deadline?: number; sinceMs?: number; shouldStop?: () => boolean } = {},
  ) => {
    const now = options.now ?? Date.now();
    return sweepOrders(
      { ...deps, ...overrides, settings: { ...settings, ...overrides.settings } },
      {
        now,
        deadline: options.deadline ?? now + 5 * minute,
        sinceMs: options.sinceMs,
        ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
      },
    );
  };
  const addOrders = async (count: number, options: Parameters<typeof buildOrderPayload>[0] = {}) => {
    const payloads = Array.from({ length: count }, () => buildOrderPayload(options));
    // A few at a time, as a busy shop would send them.
    for (let start = 0; start < payloads.length; start += 25) {
      await Promise.all(payloads.slice(start, start + 25).map((payload) => sim.addOrder(payload)));
    }
    return payloads;
  };

  return {
    shop,
    env,
    sim,
    store,
    checkpoints,
    shopify,
    callbackUrl,
    checkQueueUrl,
    notifyQueueUrl,
    counts: recorder.counts,
    flows: recorder.flows,
    deliver,
    sweep,
    addOrders,
    checks: () => drain<CheckMessage>(checkQueueUrl),
    notifications: () => drain<Notification>(notifyQueueUrl),
  };
};

const idOf = (payload: Record<string, unknown>) => String(payload.id);

describe.each(backends)('the reconciliation sweep, with a HotWax %s tenant', (backend: Backend) => {
  let hotwax: HotwaxSim;
  beforeAll(async () => {
    hotwax = await startHotwaxSim({ backend });
  });
  afterAll(() => hotwax?.stop());
  const scenario = (simOptions: Parameters<typeof startShopifySim>[0] = {}) =>
    shopScenario(hotwax, simOptions);

  it('finds exactly the orders whose webhooks were lost, records them as a webhook would, and they end in sync', async () => {
    const s = await scenario();
    const payloads = Array.from({ length: 20 }, (_, index) =>
      buildOrderPayload({ sourceName: index % 2 === 0 ? 'web' : 'pos' }),
    );
    const lost = [payloads[2], payloads[9], payloads[15]].map((payload) => idOf(payload ?? {}));
    s.sim.dropWebhooksFor(lost);
    for (const payload of payloads) await s.sim.addOrder(payload);
    expect(await s.checks()).toHaveLength(17);

    const summary = await s.sweep();

    expect(summary).toMatchObject({
      ordersSeen: 20,
      webhooksMissed: 3,
      expectationsApplied: 0,
      overdueRecovered: 0,
      completed: true,
    });
    expect(summary.missed.map((order) => order.orderId).sort()).toEqual([...lost].sort());
    expect(s.counts.get(MetricName.SweepWebhooksMissed)).toEqual([3]);
    expect(s.counts.get(MetricName.SweepOrdersSeen)).toEqual([20]);

    const checks = await s.checks();
    expect(checks.map((check) => check.orderId).sort()).toEqual([...lost].sort());
    for (const orderId of lost) {
      const { records, timeline } = await s.store.getWithTimeline(orderId);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ state: 'pending_check', source: 'sweep', expectation: 'created' });
      expect(records[0]).not.toHaveProperty('displayFulfillmentStatus');
      expect(timeline.map((event) => event.type)).toEqual(['sweep.found']);
      expect(timeline[0]?.message).toMatch(
        /^Found by the reconciliation sweep — no webhook received; check scheduled/,
      );
      expect(checks.find((check) => check.orderId === orderId)).toEqual({
        v: 1,
        shop: s.shop,
        orderId,
        reason: 'sweep',
        dueAt: records[0]?.nextCheckAt,
      });
    }

    // The checker then runs the runbook for them: HotWax imported them on its own, so they end in sync.
    for (const orderId of lost) hotwax.addOrder({ externalId: orderId, statusId: 'ORDER_APPROVED' });
    // The checker's own wiring at DESIGN.md's timings, without the optional HotWax services.
    const checkerEnv = {
      ...s.env,
      CHECK_DELAY_SECONDS: undefined,
      FULFILLED_CHECK_DELAY_SECONDS: undefined,
    };
    const results = await checkOrders(
      createCheckerDeps(parseConfig(checkerSchema, checkerEnv), { credentials: aws.credentials }),
      checks,
    );
    expect(results.map((result) => result.outcome)).toEqual(['checked', 'checked', 'checked']);
    const after = await s.store.getMany(lost.map((orderId) => ({ shop: s.shop, orderId })));
    expect([...after.values()].map((record) => record.state)).toEqual(['in_sync', 'in_sync', 'in_sync']);
  });

  it('applies the fulfilled expectation when the orders/fulfilled webhook was lost', async () => {
    const s = await scenario();
    const [payload] = await s.addOrders(1, { sourceName: 'pos' });
    const orderId = idOf(payload ?? {});
    await s.checks();
    // Its create check has run: HotWax holds the order and nothing more is scheduled.
    const checked = await s.store.get({ shop: s.shop, orderId });
    if (!checked) throw new Error('the webhook was not recorded');
    const { nextCheckAt: _done, ...inSync } = checked;
    await s.store.save(
      { ...inSync, state: 'in_sync', stateSince: Date.now(), inSyncAt: Date.now() },
      { expectedVersion: checked.version, events: [], now: Date.now() },
    );
    s.sim.dropWebhooksFor([orderId]);
    await s.sim.fulfillOrder(orderId);

    // The simulator moves updated_at to a later whole second, which may still be ahead of this clock.
    await sleep(Math.max(0, Date.parse(String(s.sim.getOrder(orderId)?.updated_at)) - Date.now() + 50));
    const summary = await s.sweep();

    expect(summary).toMatchObject({ ordersSeen: 1, webhooksMissed: 0, expectationsApplied: 1 });
    expect(summary.fulfilledWithoutWebhook).toEqual([{ orderId, orderName: payload?.name }]);
    const { records, timeline } = await s.store.getWithTimeline(orderId);
    expect(records[0]).toMatchObject({
      expectation: 'fulfilled',
      fulfillmentStatus: 'fulfilled',
      state: 'pending_check',
      source: 'webhook',
    });
    expect(records[0]?.fulfilledSeenAt).toBeTypeOf('number');
    expect(timeline.map((event) => event.type)).toEqual(['webhook.orders/create', 'sweep.fulfilled']);
    expect(timeline[1]?.message).toMatch(/^Fulfilled in Shopify, but no orders\/fulfilled webhook arrived/);
    // In sync for "created" is not enough any more: the raised expectation re-opens the order with its own check.
    expect((await s.checks()).map((check) => [check.orderId, check.reason])).toEqual([[orderId, 'sweep']]);
  });

  it('records an order that arrived fulfilled with neither webhook as expecting fulfilled', async () => {
    const s = await scenario();
    const payload = buildOrderPayload({ sourceName: 'pos', fulfillmentStatus: 'fulfilled' });
    s.sim.dropWebhooksFor([idOf(payload)]);
    await s.sim.addOrder(payload);

    const summary = await s.sweep();

    expect(summary).toMatchObject({ webhooksMissed: 1, expectationsApplied: 0 });
    expect(await s.store.get({ shop: s.shop, orderId: idOf(payload) })).toMatchObject({
      expectation: 'fulfilled',
      source: 'sweep',
    });
  });

  it('re-queues a check whose message was lost, once', async () => {
    const s = await scenario();
    const thirtyMinutesAgo = new Date(Date.now() - 30 * minute).toISOString();
    const payload = buildOrderPayload({ createdAt: thirtyMinutesAgo });
    s.sim.dropWebhooksFor([idOf(payload)]);
    await s.sim.addOrder(payload);
    // The webhook was recorded half an hour ago, but its check message never reached the queue.
    await s.deliver('orders/create', payload, {
      clock: { now: () => Date.parse(thirtyMinutesAgo) },
      queue: { schedule: async () => {} },
      config: { expectedShop: s.shop, checkDelaySeconds: 600, fulfilledCheckDelaySeconds: 300 },
    });
    const lostAt = (await s.store.get({ shop: s.shop, orderId: idOf(payload) }))?.nextCheckAt;
    expect(lostAt).toBe(Date.parse(thirtyMinutesAgo) + 10 * minute);

    const summary = await s.sweep();

    expect(summary).toMatchObject({ overdueRecovered: 1, webhooksMissed: 0, ordersSeen: 1 });
    expect(s.counts.get(MetricName.SweepOverdueChecksRecovered)).toEqual([1]);
    const record = await s.store.get({ shop: s.shop, orderId: idOf(payload) });
    expect(record?.nextCheckAt).toBeGreaterThan(lostAt ?? 0);
    expect(await s.checks()).toEqual([
      { v: 1, shop: s.shop, orderId: idOf(payload), reason: 'sweep', dueAt: record?.nextCheckAt },
    ]);
    const { timeline } = await s.store.getWithTimeline(idOf(payload));
    expect(timeline.at(-1)).toMatchObject({ type: 'sweep.check_recovered', state: 'pending_check' });

    // The recovered check is healthy now: the next sweep leaves it alone.
    expect((await s.sweep()).overdueRecovered).toBe(0);
    expect(await s.checks()).toEqual([]);
  });

  describe('when a webhook and the sweep meet on one order', () => {
    it('keeps one check chain when the webhook is recorded while the sweep is comparing', async () => {
      const s = await scenario();
      const payload = buildOrderPayload();
      s.sim.dropWebhooksFor([idOf(payload)]);
      await s.sim.addOrder(payload);
      // The late webhook lands between the sweep's read and its write.
      const racing: Pick<OrderRepository, 'getMany'> = {
        getMany: async (keys) => {
          const found = await s.store.getMany(keys);
          expect((await s.deliver('orders/create', payload)).status).toBe('recorded');
          return found;
        },
      };

      const summary = await s.sweep({ store: { ...s.store, ...racing } });

      expect(summary.skipped).toBeUndefined();
      expect(summary).toMatchObject({ ordersSeen: 1, webhooksMissed: 0 });
      const checks = await s.checks();
      expect(checks.map((check) => [check.orderId, check.reason])).toEqual([[idOf(payload), 'created']]);
      const { records, timeline } = await s.store.getWithTimeline(idOf(payload));
      expect(records[0]?.source).toBe('webhook');
      expect(timeline.map((event) => event.type)).toEqual(['webhook.orders/create']);
    });

    it('keeps one check chain when the webhook arrives just after the sweep recorded the order', async () => {
      const s = await scenario();
      const payload = buildOrderPayload();
      s.sim.dropWebhooksFor([idOf(payload)]);
      await s.sim.addOrder(payload);
      let delivered = false;
      const racing: Pick<OrderRepository, 'save'> = {
        save: async (record, options) => {
          const saved = await s.store.save(record, options);
          if (!delivered) {
            delivered = true;
            expect((await s.deliver('orders/create', payload)).status).toBe('recorded');
          }
          return saved;
        },
      };

      const summary = await s.sweep({ store: { ...s.store, ...racing } });

      expect(summary.webhooksMissed).toBe(1);
      expect((await s.checks()).map((check) => [check.orderId, check.reason])).toEqual([
        [idOf(payload), 'sweep'],
      ]);
      const { timeline } = await s.store.getWithTimeline(idOf(payload));
      expect(timeline.map((event) => event.type)).toEqual(['sweep.found', 'webhook.orders/create']);
      expect(timeline[1]?.message).toMatch(/check already scheduled/);
    });
  });

  it('backs off when Shopify answers THROTTLED and still completes', async () => {
    const s = await scenario();
    await s.addOrders(12);
    s.sim.throttleNext(3);

    const summary = await s.sweep({ settings: { pageSize: 5 } });

    expect(s.sim.throttledCount()).toBe(3);
    expect(summary).toMatchObject({ completed: true, ordersSeen: 12, pages: 3, webhooksMissed: 0 });
  });

  it('stops with ShopifyAccessDeniedError naming read_orders when the app was not granted it', async () => {
    const s = await scenario({ access: { scopes: [] } });

    const failure = await s.sweep().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ShopifyAccessDeniedError);
    expect(failure).toMatchObject({ requiredScope: 'read_orders', transient: false });
  });

  it('stops at its deadline and the next run resumes from the checkpoint', async () => {
    const s = await scenario();
    // Ten minutes old, so no order sits on the window's edge (Shopify's search rounds it out to whole seconds).
    const createdAt = new Date(Date.now() - 10 * minute).toISOString();
    const payloads = Array.from({ length: 30 }, () => buildOrderPayload({ createdAt }));
    s.sim.dropWebhooksFor(payloads.map(idOf));
    for (const payload of payloads) await s.sim.addOrder(payload);

    // Every page "takes" a minute; the run may start pages for 90 s.
    let fakeNow = Date.now();
    const start = fakeNow;
    const slow: Pick<ShopifyAdmin, 'listOrderSummariesUpdated'> = {
      listOrderSummariesUpdated: async (params) => {
        const page = await s.shopify.listOrderSummariesUpdated(params);
        fakeNow += minute;
        return page;
      },
    };
    const first = await s.sweep(
      { shopify: { ...s.shopify, ...slow }, clock: { now: () => fakeNow }, settings: { pageSize: 10 } },
      { now: start, deadline: start + 90_000 },
    );

    expect(first).toMatchObject({ completed: false, pages: 2, ordersSeen: 20, webhooksMissed: 20 });
    const checkpoint = await s.checkpoints.get(s.shop);
    expect(checkpoint?.current).toMatchObject({ from: start - 60 * minute, to: start });
    expect(checkpoint?.current?.cursor).toEqual(expect.any(String));
    expect(checkpoint?.lastCompletedEnd).toBeUndefined();

    const second = await s.sweep({ settings: { pageSize: 10 } });

    expect(second).toMatchObject({ completed: true, ordersSeen: 10, webhooksMissed: 10 });
    const missed = [...first.missed, ...second.missed].map((order) => order.orderId).sort();
    expect(missed).toEqual(payloads.map(idOf).sort());
    expect((await s.checks()).length).toBe(30);
    expect((await s.checkpoints.get(s.shop))?.current).toBeUndefined();
  });

  it('leaves the window to the sweep that holds the lease', async () => {
    const s = await scenario();
    const claim = await s.checkpoints.claim({
      shop: s.shop,
      owner: 'another-sweep',
      now: Date.now(),
      leaseUntil: Date.now() + 5 * minute,
    });
    expect(claim.claimed).toBe(true);

    const skipped = await s.sweep();
    expect(skipped).toMatchObject({ completed: false, pages: 0 });
    expect(skipped.skipped).toMatch(/holds the lease/);

    await s.checkpoints.release({ shop: s.shop, owner: 'another-sweep' });
    expect((await s.sweep()).completed).toBe(true);
  });

  it('sweeps when the answer to its lease claim was lost and the claim made again', async () => {
    const s = await scenario();
    const payload = buildOrderPayload();
    s.sim.dropWebhooksFor([idOf(payload)]);
    await s.sim.addOrder(payload);
    // DynamoDB took the lease, its answer timed out, and the SDK's retry finds the lease taken (by this run).
    const retried: Pick<SweepCheckpoints, 'claim'> = {
      claim: async (params) => {
        await s.checkpoints.claim(params);
        return s.checkpoints.claim(params);
      },
    };

    const summary = await s.sweep({ checkpoints: { ...s.checkpoints, ...retried } });

    expect(summary.skipped).toBeUndefined();
    expect(summary).toMatchObject({ completed: true, ordersSeen: 1, webhooksMissed: 1 });
    expect((await s.checks()).map((check) => check.orderId)).toEqual([idOf(payload)]);
  });

  it('takes over the lease of a sweep killed mid-run about a minute later, not at its deadline (#11 §3)', async () => {
    const s = await scenario();
    await s.addOrders(3);
    const started = Date.now();
    // The killed run: its Shopify page never comes back and it never renews its lease again.
    const hang = () => new Promise<never>(() => {});
    void s.sweep(
      {
        shopify: { ...s.shopify, listOrderSummariesUpdated: hang },
        checkpoints: { ...s.checkpoints, renew: hang },
      },
      { now: started, deadline: started + 15 * minute },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const soon = await s.sweep({}, { now: started + 30_000 });
    expect(soon.skipped).toMatch(/holds the lease/);

    const minuteLater = await s.sweep({}, { now: started + 61_000 });
    expect(minuteLater.skipped).toBeUndefined();
    expect(minuteLater.completed).toBe(true);
  });

  it('stops a running sweep when asked, saving its progress and giving the lease back (#11 §3)', async () => {
    const s = await scenario();
    await s.addOrders(12);
    let pages = 0;
    const stopped = await s.sweep(
      {
        settings: { pageSize: 5 },
        onProgress: () => {
          pages += 1;
        },
      },
      { shouldStop: () => pages >= 1 },
    );
    expect(stopped).toMatchObject({ completed: false, pages: 1 });
    const next = await s.sweep({ settings: { pageSize: 5 } });
    expect(next.skipped).toBeUndefined();
    expect(next.completed).toBe(true);
  });

  it('tells Slack once when two sweeps in a row find missed webhooks', async () => {
    const s = await scenario();
    const lose = async (count: number) => {
      const payloads = Array.from({ length: count }, () => buildOrderPayload());
      s.sim.dropWebhooksFor(payloads.map(idOf));
      for (const payload of payloads) await s.sim.addOrder(payload);
    };

    await lose(2);
    expect((await s.sweep()).webhooksMissed).toBe(2);
    expect(await s.notifications()).toEqual([]);

    await lose(1);
    expect((await s.sweep()).webhooksMissed).toBe(1);
    const [alarm, ...more] = await s.notifications();
    expect(more).toEqual([]);
    expect(alarm).toMatchObject({ kind: 'alarm', shop: s.shop, title: 'Shopify webhooks are being missed' });
    expect(alarm?.explanation).toMatch(/2 in the previous sweep, 1 in this one/);

    await lose(1);
    expect((await s.sweep()).webhooksMissed).toBe(1);
    expect(await s.notifications()).toEqual([]);
    expect((await s.checkpoints.get(s.shop))?.consecutiveMissedSweeps).toBe(3);

    await s.sweep();
    expect((await s.checkpoints.get(s.shop))?.consecutiveMissedSweeps).toBe(0);
  });

  describe("the shop's HotWax", () => {
    /** Makes one of the tenant's import flows unhealthy, and back: pausing Maarg's realtime consumer, three failed
     *  runs of OFBiz's New Orders job. */
    const flowBreaks = {
      maarg: {
        flow: 'realtime',
        status: 'paused',
        breakIt: async () => hotwax.maarg.setServiceJobPaused(realtimeConsumer, true),
        fixIt: async () => hotwax.maarg.setServiceJobPaused(realtimeConsumer, false),
      },
      ofbiz: {
        flow: 'new_orders_job',
        status: 'failing',
        breakIt: async () => {
          hotwax.setJobRunOutcome('JOB_IMP_ORD', 'SERVICE_FAILED');
          for (const _run of [1, 2, 3]) await hotwax.runScheduledImport();
        },
        fixIt: async () => {
          hotwax.setJobRunOutcome('JOB_IMP_ORD', 'SERVICE_FINISHED');
          await hotwax.runScheduledImport();
        },
      },
    } as const;

    it('tells people once when an import flow turns unhealthy and once when it runs clean again', async () => {
      const s = await scenario();
      const { flow, status, breakIt, fixIt } = flowBreaks[backend];
      const flowAlarms = async () =>
        (await s.notifications()).filter((notification) => /^HotWax /.test(notification.title));

      const healthy = await s.sweep();
      expect(healthy.hotwax.flows.map((health) => health.status)).toEqual(
        backend === 'maarg' ? ['ok', 'ok'] : ['ok'],
      );
      expect(s.flows.every(([, value]) => value === 0)).toBe(true);
      expect(await flowAlarms()).toEqual([]);

      await breakIt();
      try {
        const broken = await s.sweep();
        expect(broken.hotwax.flows.find((health) => health.flow === flow)?.status).toBe(status);
        expect(s.flows.at(backend === 'maarg' ? -2 : -1)).toEqual([flow, 1]);
        const [alarm, ...more] = await flowAlarms();
        expect(more).toEqual([]);
        expect(alarm).toMatchObject({ kind: 'alarm', shop: s.shop, bundle: { flow, status } });
        expect(alarm?.title).toMatch(new RegExp(`is ${status}$`));
        expect(alarm?.fix).toMatch(/Job Manager/);
        expect((await s.checkpoints.get(s.shop))?.importFlows).toMatchObject({ [flow]: status });

        // Still unhealthy: the metric keeps the alarm on, Slack is not told again.
        await s.sweep();
        expect(s.flows.filter(([name, value]) => name === flow && value === 1)).toHaveLength(2);
        expect(await flowAlarms()).toEqual([]);
      } finally {
        await fixIt();
      }

      await s.sweep();
      expect((await flowAlarms()).map((notification) => notification.title)).toEqual([
        expect.stringMatching(/runs clean again$/),
      ]);
      expect((await s.checkpoints.get(s.shop))?.importFlows).toMatchObject({ [flow]: 'ok' });
      expect(s.flows.at(-1)?.[1]).toBe(0);
    });

    it('keeps sweeping when HotWax is down, and says nothing about its flows until it answers', async () => {
      const s = await scenario();
      hotwax.down(true);
      try {
        const summary = await s.sweep();
        expect(summary).toMatchObject({ completed: true, hotwax: { flows: [], repairsRecovered: 0 } });
      } finally {
        hotwax.down(false);
      }
      expect(s.flows).toEqual([]);
      expect(await s.notifications()).toEqual([]);
    });

    it('restores the job parameters a crashed re-import left swapped, once per sweep', async () => {
      const s = await scenario();
      const journal = createHotwaxRepairJournal({ client: aws.doc, tableName: aws.tableName });
      const original = hotwax.maarg.serviceJob(simFallbackJobName)?.parameters ?? [];
      if (backend === 'maarg') {
        // A re-import recorded the original parameters, swapped fromDate, and its process died.
        const claimedAt = Date.now() - 10 * minute;
        expect(await journal.claim({ shop: s.shop, owner: 'crashed-checker', claimedAt })).toBe(true);
        await journal.record(s.shop, 'crashed-checker', {
          jobName: simFallbackJobName,
          originalParameters: original,
        });
        const swapped = await fetch(`${hotwax.url}/rest/s1/admin/serviceJobs/${simFallbackJobName}`, {
          method: 'PUT',
          headers: {
            authorization: `Bearer ${hotwax.settings.apiToken}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            jobName: simFallbackJobName,
            serviceJobParameters: [
              ...original,
              { parameterName: 'fromDate', parameterValue: '2026-01-01 00:00:00' },
            ],
          }),
        });
        expect(swapped.status).toBe(200);
      }

      const summary = await s.sweep();

      // OFBiz re-imports never swap job parameters: there is never anything to restore.
      const restored = backend === 'maarg' ? 1 : 0;
      expect(summary.hotwax.repairsRecovered).toBe(restored);
      expect(s.counts.get(MetricName.InterruptedRepairsRecovered)).toEqual([restored]);
      expect(await journal.get(s.shop)).toBeUndefined();
      if (backend === 'maarg') {
        expect(hotwax.maarg.serviceJob(simFallbackJobName)?.parameters).toEqual(original);
        expect((await s.sweep()).hotwax.repairsRecovered).toBe(0);
      }
    });
  });

  describe('the webhook subscription watchdog', () => {
    it('reports a deleted subscription once, and re-creates it when allowed', async () => {
      const s = await scenario();
      const fulfilled = s.sim.listWebhookSubscriptions().find((sub) => sub.topic === 'ORDERS_FULFILLED');
      s.sim.deleteWebhookSubscription(fulfilled?.id ?? '');

      const first = await s.sweep();
      expect(first.subscriptions).toEqual({ checked: true, missing: ['orders/fulfilled'], restored: [] });
      expect(s.counts.get(MetricName.SubscriptionsMissing)).toEqual([1]);
      const [notification, ...rest] = await s.notifications();
      expect(rest).toEqual([]);
      expect(notification).toMatchObject({
        kind: 'alarm',
        title: 'Webhook subscription missing: orders/fulfilled',
      });
      expect(notification?.fix).toContain('RESTORE_WEBHOOK_SUBSCRIPTIONS=true');

      // Still missing: the metric keeps alarming, Slack is not told again.
      await s.sweep();
      expect(s.counts.get(MetricName.SubscriptionsMissing)).toEqual([1, 1]);
      expect(await s.notifications()).toEqual([]);

      const restored = await s.sweep({ settings: { restoreSubscriptions: true } });
      expect(restored.subscriptions).toEqual({
        checked: true,
        missing: ['orders/fulfilled'],
        restored: ['orders/fulfilled'],
      });
      expect(s.sim.listWebhookSubscriptions().map((sub) => [sub.topic, sub.uri])).toEqual(
        expect.arrayContaining([['ORDERS_FULFILLED', s.callbackUrl]]),
      );
      expect((await s.notifications()).map((n) => n.title)).toEqual([
        'Webhook subscription re-created: orders/fulfilled',
      ]);

      expect((await s.sweep()).subscriptions.missing).toEqual([]);
      expect(s.counts.get(MetricName.SubscriptionsMissing)).toEqual([1, 1, 1, 0]);
    });

    it('counts a subscription that delivers somewhere else as missing', async () => {
      const s = await scenario();
      for (const sub of s.sim.listWebhookSubscriptions()) s.sim.deleteWebhookSubscription(sub.id);
      s.sim.createWebhookSubscription('ORDERS_CREATE', 'https://old-endpoint.example.com/webhooks');
      s.sim.createWebhookSubscription('ORDERS_FULFILLED', s.callbackUrl);

      expect((await s.sweep()).subscriptions.missing).toEqual(['orders/create']);
      // Without a callback URL the watchdog can only tell that each topic has a subscription.
      expect((await s.sweep({ settings: { webhookCallbackUrl: undefined } })).subscriptions.missing).toEqual(
        [],
      );
    });
  });
});

/** Shopify's side at volume: paging and the checkpoint. HotWax plays no part, so one backend is enough. */
describe('the reconciliation sweep at volume', () => {
  let hotwax: HotwaxSim;
  beforeAll(async () => {
    hotwax = await startHotwaxSim();
  });
  afterAll(() => hotwax?.stop());
  const scenario = () => shopScenario(hotwax);

  it('sees every one of 600 orders across pages and advances the checkpoint', async () => {
    const s = await scenario();
    const payloads = await s.addOrders(600);
    const before = s.sim.callCount();

    const now = Date.now();
    const summary = await s.sweep({ settings: { pageSize: 100 } }, { now });

    expect(summary).toMatchObject({ ordersSeen: 600, pages: 6, webhooksMissed: 0, completed: true });
    expect(summary.window).toEqual({ from: now - 60 * minute, to: now });
    expect(summary.queryCost).toBeGreaterThan(0);
    // One call for the subscriptions, one per page.
    expect(s.sim.callCount() - before).toBe(7);
    expect(await s.checkpoints.get(s.shop)).toMatchObject({
      lastCompletedEnd: now,
      current: undefined,
      consecutiveMissedSweeps: 0,
    });
    expect(payloads).toHaveLength(600);

    const next = await s.sweep({}, { now: now + 15 * minute });
    expect(next.window).toEqual({ from: now - 5 * minute, to: now + 15 * minute });
  });
});

describe.each(backends)('the sweeper Lambda handler, with a HotWax %s tenant', (backend: Backend) => {
  it('sweeps on demand with { since } and restores a deleted subscription, configured from the environment', async () => {
    const hotwax = await startHotwaxSim({ backend });
    cleanups.push(() => hotwax.stop());
    const s = await shopScenario(hotwax);
    const payloads = Array.from({ length: 5 }, () => buildOrderPayload());
    s.sim.dropWebhooksFor([idOf(payloads[0] ?? {})]);
    for (const payload of payloads) await s.sim.addOrder(payload);
    const created = s.sim.listWebhookSubscriptions().find((sub) => sub.topic === 'ORDERS_CREATE');
    s.sim.deleteWebhookSubscription(created?.id ?? '');

    setEnv({
      ...monitorEnv(hotwax),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      TABLE_NAME: aws.tableName,
      CHECK_QUEUE_URL: s.checkQueueUrl,
      NOTIFY_QUEUE_URL: s.notifyQueueUrl,
      DYNAMODB_ENDPOINT: aws.dynamoEndpoint,
      SQS_ENDPOINT: aws.sqsEndpoint,
      SHOPIFY_SHOP: s.shop,
      SHOPIFY_ADMIN_TOKEN: s.sim.accessToken,
      SHOPIFY_ADMIN_URL: s.sim.url,
      CHECK_DELAY_SECONDS: '0',
      SWEEP_SETTLE_SECONDS: '0',
      RESTORE_WEBHOOK_SUBSCRIPTIONS: 'true',
      WEBHOOK_CALLBACK_URL: s.callbackUrl,
    });
    // Each backend gets the function as a fresh Lambda would build it from its environment.
    vi.resetModules();
    const { handler } = (await import('../../functions/sweeper/handler.js')) as unknown as {
      handler: (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
    };

    const summary = await handler({ since: '2h' }, lambdaContext('sweeper'));

    expect(summary).toMatchObject({
      completed: true,
      ordersSeen: 5,
      webhooksMissed: 1,
      subscriptions: { checked: true, missing: ['orders/create'], restored: ['orders/create'] },
      hotwax: { flows: expect.arrayContaining([expect.objectContaining({ status: 'ok' })]) },
    });
    expect(
      (summary.window as { from: number; to: number }).to - (summary.window as { from: number }).from,
    ).toBe(120 * minute);
    expect((await s.checks()).filter((check) => check.reason === 'sweep')).toHaveLength(1);

    // A scheduled run carries EventBridge's payload, not `since`: it continues from the checkpoint.
    const scheduled = await handler({ 'detail-type': 'Scheduled Event' }, lambdaContext('sweeper'));
    expect(scheduled).toMatchObject({ completed: true, webhooksMissed: 0 });
    await expect(handler({ since: 'soon' }, lambdaContext('sweeper'))).rejects.toThrow(/not a duration/);
  });
});
