import { describe, expect, it } from 'vitest';
import type { CheckMessage, OrderRecord } from '../../shared/domain/order-sync.js';
import type { HotwaxPort, ShopifyOrderSnapshot } from '../../shared/domain/ports.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { type CheckOrdersDeps, checkOrders } from '../../shared/use-cases/check-orders.js';
import { defaultCheckerSettings, webOrderFacts } from '../support/order-fixtures.js';

const now = Date.parse('2026-11-29T10:00:00Z');
const shop = 'acme.myshopify.com';

/** An in-memory order store with the real store's optimistic concurrency. */
const memoryStore = (initial: OrderRecord) => {
  let current = initial;
  return {
    current: () => current,
    getMany: async () => new Map([[`${shop}#${current.orderId}`, current]]),
    save: async (record: OrderRecord, options: { expectedVersion: number | undefined }) => {
      if (options.expectedVersion !== current.version) return { result: 'conflict' as const, record };
      current = { ...record, version: current.version + 1 };
      return { result: 'saved' as const, record: current };
    },
    claimJobRun: async () => ({ claimed: true as const }),
    releaseJobRun: async () => {},
  };
};

describe('an alert that could not be queued', () => {
  it('is sent again at the order’s next look', async () => {
    const facts = webOrderFacts(now - 20 * 60_000, { shop, orderId: '5100' });
    const store = memoryStore({
      ...facts,
      state: 'pending_check',
      stateSince: now - 10 * 60_000,
      expectation: 'created',
      nextCheckAt: now,
      repairAttempts: 0,
      version: 1,
      firstSeenAt: now - 20 * 60_000,
      source: 'webhook',
    });
    const { shop: _shop, ...snapshot } = facts;
    let notifierUp = false;
    const sent: string[] = [];
    const deps = {
      store,
      hotwax: {
        findOrdersByShopifyIds: async () => new Map(),
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
        orderUrl: () => '',
      } as unknown as HotwaxPort,
      shopify: {
        getOrder: async () =>
          ({
            ...snapshot,
            displayFinancialStatus: 'PAID',
            displayFulfillmentStatus: 'UNFULFILLED',
          }) as ShopifyOrderSnapshot,
        orderUrl: () => 'https://admin.shopify.com/store/acme/orders/5100',
      },
      queue: { schedule: async () => {} },
      notifier: {
        notify: async (notifications: readonly { kind: string }[]) => {
          if (!notifierUp) throw new Error('SQS unavailable');
          sent.push(...notifications.map((notification) => notification.kind));
        },
      },
      telemetry: silentTelemetry,
      clock: { now: () => now },
      settings: defaultCheckerSettings,
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
