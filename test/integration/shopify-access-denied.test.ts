import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyAdmin } from '../../shared/adapters/shopify/admin-client.js';
import { ShopifyAccessDeniedError } from '../../shared/adapters/shopify/admin-errors.js';
import type { CheckMessage, OrderRecord } from '../../shared/domain/order-sync.js';
import { shopDirectory } from '../../shared/domain/shop-directory.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { type CheckOrdersDeps, checkOrders } from '../../shared/use-cases/check-orders/check-orders.js';
import { type ShopifySim, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload } from '../../sim/shopify/order-payload.js';
import { fakeHotwax, fakeShop } from '../support/fake-ports.js';
import { webOrderFacts } from '../support/order-fixtures.js';

/**
 * A real store whose custom app was not granted `read_orders`: the checker's re-read of an order HotWax does not
 * have fails with the precise error, naming the scope, and the process says so once, not once per check.
 */
const shop = 'scopeless.myshopify.com';
let sim: ShopifySim;
beforeAll(async () => {
  sim = await startShopifySim({ shop, access: { scopes: [] } });
});
afterAll(() => sim.stop());

const pendingRecord = (orderId: string, now: number): OrderRecord => ({
  ...webOrderFacts(now - 20 * 60_000, { shop, orderId }),
  state: 'pending_check',
  stateSince: now - 10 * 60_000,
  expectation: 'created',
  nextCheckAt: now,
  repairAttempts: 0,
  version: 1,
  firstSeenAt: now - 20 * 60_000,
  source: 'webhook',
});

describe('the checker when the app lacks read_orders', () => {
  it('fails each check that needs Shopify with ShopifyAccessDeniedError naming read_orders, said once', async () => {
    const now = Date.now();
    const payloads = [buildOrderPayload(), buildOrderPayload()];
    for (const payload of payloads) await sim.addOrder(payload);
    const records = new Map(
      payloads.map((payload) => [String(payload.id), pendingRecord(String(payload.id), now)]),
    );
    const warnings: string[] = [];
    const deps = {
      store: {
        getMany: async () => [...records.values()],
        save: async (record: OrderRecord) => ({ result: 'saved' as const, record }),
        claimJobRun: async () => ({ claimed: true as const }),
        releaseJobRun: async () => {},
      },
      shops: shopDirectory([
        fakeShop(shop, {
          // HotWax does not have the orders, so the runbook says: confirm the order exists in Shopify first.
          hotwax: fakeHotwax(),
          shopify: createShopifyAdmin({
            shop,
            accessToken: sim.accessToken,
            apiVersion: sim.apiVersion,
            adminUrl: sim.url,
            timeoutMs: 5_000,
            logger: { warn: (message) => warnings.push(message) },
          }),
        }),
      ]),
      queue: { schedule: async () => {} },
      notifier: { notify: async () => {} },
      telemetry: silentTelemetry,
      clock: { now: () => now },
      settings: { syncSloSeconds: 1800 },
    } satisfies CheckOrdersDeps;
    const checks = [...records.keys()].map(
      (orderId): CheckMessage => ({ v: 1, shop, orderId, reason: 'created', dueAt: now }),
    );

    const first = await checkOrders(deps, checks);
    const second = await checkOrders(deps, checks);

    for (const result of [...first, ...second]) {
      expect(result.outcome).toBe('failed');
      const cause = (result as { error: Error }).error.cause;
      expect(cause).toBeInstanceOf(ShopifyAccessDeniedError);
      expect(cause).toMatchObject({ requiredScope: 'read_orders', transient: false });
    }
    expect(warnings).toEqual([expect.stringContaining('lacks the read_orders access scope')]);
  });
});
