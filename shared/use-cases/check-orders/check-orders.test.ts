import { describe, expect, it } from 'vitest';
import { fakeHotwax, fakeShop, fakeShopify } from '../../../test/support/fake-ports.js';
import { webOrderFacts } from '../../../test/support/order-fixtures.js';
import type { CheckMessage, OrderRecord } from '../../domain/order-sync.js';
import type { ShopifyOrderSnapshot } from '../../domain/ports.js';
import { shopDirectory } from '../../domain/shop-directory.js';
import { silentTelemetry } from '../../observability/telemetry.js';
import { type CheckOrdersDeps, checkOrders } from './check-orders.js';

const now = Date.parse('2026-11-29T10:00:00Z');
const shop = 'acme.myshopify.com';

/** An in-memory order repository with the real one's optimistic concurrency. */
const memoryStore = (initial: OrderRecord) => {
  let current = initial;
  return {
    current: () => current,
    getMany: async () => [current],
    save: async (record: OrderRecord, options: { expectedVersion: number | undefined }) => {
      if (options.expectedVersion !== current.version) return { result: 'conflict' as const, record };
      current = { ...record, version: current.version + 1 };
      return { result: 'saved' as const, record: current };
    },
    claimJobRun: async () => ({ claimed: true as const }),
    releaseJobRun: async () => {},
  };
};

const pending = (overrides: Partial<OrderRecord> = {}): OrderRecord => ({
  ...webOrderFacts(now - 20 * 60_000, { shop, orderId: '5100' }),
  state: 'pending_check',
  stateSince: now - 10 * 60_000,
  expectation: 'created',
  nextCheckAt: now,
  repairAttempts: 0,
  version: 1,
  firstSeenAt: now - 20 * 60_000,
  source: 'webhook',
  ...overrides,
});

describe('an alert that could not be queued', () => {
  it('is sent again at the order’s next look', async () => {
    const store = memoryStore(pending());
    const { shop: _shop, ...snapshot } = store.current();
    let notifierUp = false;
    const sent: string[] = [];
    const hotwax = fakeHotwax({
      findImportFailures: async () =>
        new Map([
          [
            '5100',
            {
              shopifyOrderId: '5100',
              logId: 'L1',
              createdDate: now - 60_000,
              errorText: 'Phone number is missing',
            },
          ],
        ]),
    });
    const shopify = fakeShopify({
      getOrder: async () =>
        ({
          ...snapshot,
          displayFinancialStatus: 'PAID',
          displayFulfillmentStatus: 'UNFULFILLED',
        }) as ShopifyOrderSnapshot,
    });
    const deps = {
      store,
      shops: shopDirectory([fakeShop(shop, { hotwax, shopify })]),
      queue: { schedule: async () => {} },
      notifier: {
        notify: async (notifications: readonly { kind: string }[]) => {
          if (!notifierUp) throw new Error('SQS unavailable');
          sent.push(...notifications.map((notification) => notification.kind));
        },
      },
      telemetry: silentTelemetry,
      clock: { now: () => now },
      settings: { syncSloSeconds: 1800 },
    } satisfies CheckOrdersDeps;
    const due = (): CheckMessage => ({
      v: 1,
      shop,
      orderId: '5100',
      reason: 'recheck',
      dueAt: store.current().nextCheckAt ?? 0,
    });

    await checkOrders(deps, [due()]);
    expect(store.current().state).toBe('blocked_on_data');
    expect(store.current().humanNotifiedAt).toBeUndefined();
    expect(sent).toEqual([]);

    notifierUp = true;
    deps.clock.now = () => store.current().nextCheckAt ?? now;
    await checkOrders(deps, [due()]);
    expect(sent).toEqual(['needs_human']);
    expect(store.current().humanNotifiedAt).toBeTypeOf('number');

    deps.clock.now = () => store.current().nextCheckAt ?? now;
    await checkOrders(deps, [due()]);
    expect(sent).toEqual(['needs_human']);
  });
});

describe('checks due beyond the 15-minute SQS delay limit', () => {
  it('re-queues a check that arrives before its due time instead of running it early', async () => {
    const dueAt = now + 40 * 60_000;
    const record = {
      shop: 's',
      orderId: '1',
      state: 'pending_check',
      nextCheckAt: dueAt,
      version: 1,
    } as OrderRecord;
    const scheduled: CheckMessage[][] = [];
    const lookups: string[][] = [];
    const hotwax = fakeHotwax({
      findOrdersByShopifyIds: async (ids) => {
        lookups.push([...ids]);
        return new Map();
      },
    });
    const deps = {
      store: memoryStore(record),
      shops: shopDirectory([fakeShop('s', { hotwax })]),
      queue: {
        schedule: async (messages: readonly CheckMessage[]) => {
          scheduled.push([...messages]);
        },
      },
      notifier: { notify: async () => {} },
      telemetry: silentTelemetry,
      clock: { now: () => now },
      settings: { syncSloSeconds: 1800 },
    } satisfies CheckOrdersDeps;

    const message: CheckMessage = { v: 1, shop: 's', orderId: '1', reason: 'created', dueAt };
    const [result] = await checkOrders(deps, [message]);
    expect(result?.outcome).toBe('requeued');
    expect(scheduled).toEqual([[message]]);
    expect(lookups).toEqual([]);
  });
});

describe('a batch of several shops', () => {
  it("checks each order with its own shop's ports and fails the orders of a shop it does not serve", async () => {
    const known = pending({ shop: 'known.myshopify.com', orderId: '1' });
    const unknown = pending({ shop: 'unknown.myshopify.com', orderId: '2' });
    const looked: string[] = [];
    const hotwax = fakeHotwax({
      findOrdersByShopifyIds: async (ids) => {
        looked.push(...ids);
        return new Map([['1', [{ orderId: 'HC1', externalId: '1', statusId: 'ORDER_APPROVED' }]]]);
      },
    });
    const saved: OrderRecord[] = [];
    const deps = {
      store: {
        getMany: async () => [known, unknown],
        save: async (record: OrderRecord) => {
          saved.push(record);
          return { result: 'saved' as const, record };
        },
        claimJobRun: async () => ({ claimed: true as const }),
        releaseJobRun: async () => {},
      },
      shops: shopDirectory([fakeShop('known.myshopify.com', { hotwax })]),
      queue: { schedule: async () => {} },
      notifier: { notify: async () => {} },
      telemetry: silentTelemetry,
      clock: { now: () => now },
      settings: { syncSloSeconds: 1800 },
    } satisfies CheckOrdersDeps;
    const check = (record: OrderRecord): CheckMessage => ({
      v: 1,
      shop: record.shop,
      orderId: record.orderId,
      reason: 'created',
      dueAt: now,
    });

    const results = await checkOrders(deps, [check(known), check(unknown)]);

    expect(results.map((result) => result.outcome)).toEqual(['checked', 'failed']);
    expect(results[1]?.error?.name).toBe('UnknownShopError');
    expect(looked).toEqual(['1']);
    expect(saved.map((record) => [record.orderId, record.state])).toEqual([['1', 'in_sync']]);
  });
});

describe('a check that loses the version race to a webhook (#11 §1)', () => {
  it('stays queued and runs again, instead of leaving the order in pending_check', async () => {
    const store = memoryStore(pending());
    const save = store.save;
    let webhookRaces = true;
    // orders/fulfilled lands between the check's read and its write; a check is already scheduled, so the webhook
    // queues none of its own.
    store.save = async (record, options) => {
      if (webhookRaces) {
        webhookRaces = false;
        await save({ ...store.current(), lastWebhookAt: now }, { expectedVersion: store.current().version });
      }
      return save(record, options);
    };
    const queued: CheckMessage[] = [];
    const hotwax = fakeHotwax({
      findOrdersByShopifyIds: async () =>
        new Map([['5100', [{ orderId: 'HC1', externalId: '5100', statusId: 'ORDER_APPROVED' }]]]),
    });
    const deps = {
      store,
      shops: shopDirectory([fakeShop(shop, { hotwax })]),
      queue: {
        schedule: async (messages: readonly CheckMessage[]) => {
          queued.push(...messages);
        },
      },
      notifier: { notify: async () => {} },
      telemetry: silentTelemetry,
      clock: { now: () => now },
      settings: { syncSloSeconds: 1800 },
    } satisfies CheckOrdersDeps;
    const message: CheckMessage = { v: 1, shop, orderId: '5100', reason: 'created', dueAt: now };

    const [first] = await checkOrders(deps, [message]);
    expect(first?.outcome).toBe('superseded');
    expect(store.current().state).toBe('pending_check');
    expect(queued).toEqual([message]);

    const [again] = await checkOrders(deps, queued.splice(0));
    expect(again?.outcome).toBe('checked');
    expect(store.current().state).toBe('in_sync');
  });
});

describe('a batch while HotWax does not answer', () => {
  it('fails each check on its own, even before the HotWax port knows its backend', async () => {
    const store = memoryStore(pending());
    const hotwax = fakeHotwax({
      findOrdersByShopifyIds: async () => {
        throw new Error('HotWax answered HTTP 503');
      },
    });
    // A port that discovers its backend on its first call has no capabilities while HotWax is down.
    Object.defineProperty(hotwax, 'capabilities', {
      get() {
        throw new Error("HotWax's backend is not known yet");
      },
    });
    const deps = {
      store,
      shops: shopDirectory([fakeShop(shop, { hotwax })]),
      queue: { schedule: async () => {} },
      notifier: { notify: async () => {} },
      telemetry: silentTelemetry,
      clock: { now: () => now },
      settings: { syncSloSeconds: 1800 },
    } satisfies CheckOrdersDeps;
    const results = await checkOrders(deps, [{ v: 1, shop, orderId: '5100', reason: 'created', dueAt: now }]);
    expect(results.map((result) => result.outcome)).toEqual(['failed']);
    expect(store.current().state).toBe('pending_check');
  });
});
