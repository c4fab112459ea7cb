import { createOrderStore } from '../shared/adapters/dynamo/order-store.js';
import { createHotwaxClient } from '../shared/adapters/hotwax/hotwax-client.js';
import { createShopifyAdmin } from '../shared/adapters/shopify/admin-client.js';
import { createCheckQueue } from '../shared/adapters/sqs/check-queue.js';
import { createNotifyQueue } from '../shared/adapters/sqs/notify-queue.js';
import { applyOrderSeen } from '../shared/domain/apply-order-seen.js';
import type { CheckMessage, OrderRecord } from '../shared/domain/order-sync.js';
import { silentTelemetry } from '../shared/observability/telemetry.js';
import { type CheckOrdersDeps, checkOrders } from '../shared/use-cases/check-orders.js';
import { startHotwaxSim } from '../test/sim/hotwax/hotwax-sim.js';
import { startShopifySim } from '../test/sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../test/sim/shopify/order-payload.js';
import { defaultCheckerSettings, webOrderFacts } from '../test/support/order-fixtures.js';
import { startBenchAws } from './aws-harness.js';
import { round } from './stats.js';

const shop = 'bench.myshopify.com';
const batchSize = 10;

/**
 * How many HotWax calls a checked order costs: a batch of healthy orders (one lookup per batch), and a flash sale
 * where one New Orders run should serve every missing order of the window.
 */
export const benchChecker = async (): Promise<Record<string, number | string>> => {
  const aws = await startBenchAws();
  // The New Orders run takes a while in HotWax: later batches of the sale still see their orders missing.
  const hotwax = await startHotwaxSim({ importDelayMs: 5_000 });
  const shopify = await startShopifySim({ shop });
  try {
    const store = createOrderStore({ client: aws.doc, tableName: aws.tableName });
    let now = Date.now();
    const deps: CheckOrdersDeps = {
      store,
      hotwax: createHotwaxClient({
        baseUrl: hotwax.url,
        username: hotwax.settings.username,
        password: hotwax.settings.password,
        shopifyConfigId: hotwax.settings.shopifyConfigId,
        shopId: hotwax.settings.shopId,
        productStoreId: hotwax.settings.productStoreId,
      }),
      shopify: createShopifyAdmin({
        shop,
        accessToken: shopify.accessToken,
        apiVersion: shopify.apiVersion,
        adminUrl: shopify.url,
        timeoutMs: 10_000,
      }),
      queue: createCheckQueue({ client: aws.sqs, queueUrl: aws.checkQueue.url }),
      notifier: createNotifyQueue({ client: aws.sqs, queueUrl: aws.notifyQueue.url }),
      telemetry: silentTelemetry,
      clock: { now: () => now },
      settings: defaultCheckerSettings,
    };

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

    // Healthy orders: one performFind per batch of ten (plus one login for the whole run).
    const healthy = await seed(100, () => false);
    hotwax.clearCalls();
    await runBatches(healthy);
    const healthyCalls = hotwax.callCount();
    const healthyLookups = hotwax.callCount('performFind');

    // Flash sale: 500 orders, 50 of them missed by the import.
    const sale = await seed(500, (index) => index % 10 === 3);
    hotwax.clearCalls();
    const shopifyBefore = shopify.callCount();
    await runBatches(sale);
    const firstRoundCalls = hotwax.callCount();
    const jobRuns = hotwax.callCount('scheduleService');
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
      'healthy: HotWax calls per order incl. one login (aim ≤ 0.1)': round(healthyCalls / healthy.length, 3),
      'healthy: HotWax lookups per order': round(healthyLookups / healthy.length, 3),
      'flash sale: orders / missing': `${sale.length} / 50`,
      'flash sale: New Orders job runs (aim 1)': jobRuns,
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
