import { localCredentials } from '../local/local-aws.js';
import { checkerSchema, parseConfig } from '../shared/config/config.js';
import { applyOrderSeen } from '../shared/domain/apply-order-seen.js';
import type { CheckMessage, OrderRecord } from '../shared/domain/order-sync.js';
import { checkOrders } from '../shared/use-cases/check-orders/check-orders.js';
import { createCheckerDeps } from '../shared/wiring/checker.js';
import { simFallbackJobName, startHotwaxSim } from '../sim/hotwax/hotwax-sim.js';
import { startShopifySim } from '../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../sim/shopify/order-payload.js';
import { webOrderFacts } from '../test/support/order-fixtures.js';
import { startBenchAws } from './aws-harness.js';
import { round } from './stats.js';

const shop = 'bench.myshopify.com';
const batchSize = 10;

/** What the checker's calls are called on each backend's wire. */
const endpoints = {
  ofbiz: { lookup: 'performFind', run: 'scheduleService', runName: 'New Orders job runs' },
  maarg: {
    lookup: 'oms/orders',
    run: `admin/serviceJobs/${simFallbackJobName}/runNow`,
    runName: 'fallback order sync runs',
  },
} as const;

/**
 * How many HotWax calls a checked order costs on one backend: a batch of healthy orders (one lookup per batch), and
 * a flash sale where one window re-import run (the New Orders job, or Maarg's fallback order sync) should serve every
 * missing order of the window.
 */
export const benchChecker = async (
  backend: 'ofbiz' | 'maarg' = 'ofbiz',
): Promise<Record<string, number | string>> => {
  const aws = await startBenchAws();
  // The re-import run takes a while in HotWax: later batches of the sale still see their orders missing.
  const hotwax = await startHotwaxSim({ backend, importDelayMs: 5_000 });
  const wire = endpoints[backend];
  const shopify = await startShopifySim({ shop });
  try {
    let now = Date.now();
    // DESIGN.md's defaults and the confirmed repair path (the New Orders job); no refresh service.
    const {
      HOTWAX_IMPORT_ORDER_SERVICE: _perOrder,
      HOTWAX_REFRESH_ORDER_SERVICE: _refresh,
      ...hotwaxEnv
    } = hotwax.env();
    const config = parseConfig(checkerSchema, {
      ...aws.env,
      ...hotwaxEnv,
      SHOPIFY_SHOP: shop,
      SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
      SHOPIFY_API_VERSION: shopify.apiVersion,
      SHOPIFY_ADMIN_URL: shopify.url,
    });
    const deps = createCheckerDeps(config, { clock: { now: () => now }, credentials: localCredentials });
    const { store } = deps;

    /** Records as the webhook leaves them, with their check due now. */
    const seed = async (count: number, missing: (index: number) => boolean) => {
      const messages: CheckMessage[] = [];
      for (let index = 0; index < count; index++) {
        const id = nextOrderId();
        const payload = buildOrderPayload({ id, createdAt: new Date(now - 700_000).toISOString() });
        await shopify.addOrder(payload);
        if (missing(index))
          hotwax.queueShopifyOrder({ shopifyOrderId: String(id), importAs: 'ORDER_APPROVED' });
        else hotwax.addOrder({ externalId: String(id), statusId: 'ORDER_APPROVED' });
        const { record, check } = applyOrderSeen(undefined, {
          facts: webOrderFacts(now - 700_000, { shop, orderId: String(id), orderName: String(payload.name) }),
          expectation: 'created',
          via: 'orders/create',
          at: now - 600_000,
          checkDelayMs: 600_000,
        });
        await store.save(record, { expectedVersion: undefined, events: [], now });
        if (check) messages.push(check);
      }
      return messages;
    };
    const runBatches = async (messages: readonly CheckMessage[]) => {
      for (let start = 0; start < messages.length; start += batchSize) {
        await checkOrders(deps, messages.slice(start, start + batchSize));
      }
    };

    // Healthy orders: one lookup per batch of ten (plus discovery and one login for the whole run).
    const healthy = await seed(100, () => false);
    hotwax.clearCalls();
    await runBatches(healthy);
    const healthyCalls = hotwax.callCount();
    const healthyLookups = hotwax.callCount(wire.lookup);

    // Flash sale: 500 orders, 50 of them missed by the import.
    const sale = await seed(500, (index) => index % 10 === 3);
    hotwax.clearCalls();
    const shopifyBefore = shopify.callCount();
    await runBatches(sale);
    const firstRoundCalls = hotwax.callCount();
    const jobRuns = hotwax.callCount(wire.run);
    await hotwax.idle();
    // The verify checks, five minutes later.
    now += 301_000;
    const waiting = [...(await store.getMany(sale)).values()].filter(
      (record: OrderRecord) => record.state === 'reimport_requested',
    );
    await runBatches(
      waiting.map((record) => ({
        v: 1,
        shop,
        orderId: record.orderId,
        reason: 'verify',
        dueAt: record.nextCheckAt ?? now,
      })),
    );
    const saleCalls = hotwax.callCount();
    const final = [...(await store.getMany(sale)).values()];
    return {
      'healthy: orders checked (batches of 10)': healthy.length,
      'healthy: HotWax calls': healthyCalls,
      'healthy: HotWax calls per order incl. discovery and login (aim ≤ 0.15)': round(
        healthyCalls / healthy.length,
        3,
      ),
      'healthy: HotWax lookups per order': round(healthyLookups / healthy.length, 3),
      'flash sale: orders / missing': `${sale.length} / 50`,
      [`flash sale: ${wire.runName} (aim 1)`]: jobRuns,
      'flash sale: HotWax calls, first checks': firstRoundCalls,
      'flash sale: HotWax calls incl. verify': saleCalls,
      'flash sale: HotWax calls per order': round(saleCalls / sale.length, 3),
      'flash sale: Shopify re-reads': shopify.callCount() - shopifyBefore,
      'flash sale: orders in sync after verify': final.filter((record) => record.state === 'in_sync').length,
    };
  } finally {
    await hotwax.stop();
    await shopify.stop();
    await aws.close();
  }
};
