import { localCredentials } from '../local/local-aws.js';
import { checkerBatching, checkerSchema, parseConfig } from '../shared/config/config.js';
import type { CheckMessage, OrderRecord } from '../shared/domain/order-sync.js';
import { checkOrders } from '../shared/use-cases/check-orders/check-orders.js';
import { mapLimit } from '../shared/use-cases/map-limit.js';
import { createCheckerDeps } from '../shared/wiring/checker.js';
import { type SimCall, simFallbackJobName, startHotwaxSim } from '../sim/hotwax/hotwax-sim.js';
import { startShopifySim } from '../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../sim/shopify/order-payload.js';
import { createdByWebhook, webOrderFacts } from '../test/support/order-fixtures.js';
import { startBenchAws } from './aws-harness.js';
import { round } from './stats.js';

const shop = 'bench.myshopify.com';
/** The checker's SQS batch (what the event source and the local poller hand over). */
const batchSize = checkerBatching.batchSize;
const healthyOrders = 1000;
const saleOrders = 5000;
const saleMissing = 500;
/** Failures of earlier orders already in the import logs: every failure search of the sale goes through them. */
const earlierFailures = 3;
/** Checks of a flash sale come due over time: one batch a second. */
const batchSpacingMs = 1_000;

/** What each HotWax call is, by backend wire: the breakdown of the flash sale's calls. */
type Kind =
  | 'lookup'
  | 'failed-record logs'
  | 'failed-record files'
  | 'repair'
  | 'run outcome'
  | 'login/discovery';
const kindOf = (call: SimCall): Kind | 'other' => {
  const { endpoint } = call;
  const entityName =
    call.query.entityName?.[0] ??
    (typeof call.body === 'object' && call.body !== null
      ? String((call.body as Record<string, unknown>).entityName ?? '')
      : '');
  if (endpoint === 'performFind') {
    if (entityName === 'OrderHeader') return 'lookup';
    if (entityName === 'DataManagerLogAndContent' || entityName === 'DataResourceContentView')
      return 'failed-record logs';
    return 'other';
  }
  if (endpoint === 'oms/orders') return 'lookup';
  if (endpoint === 'admin/dataManager/details') return 'failed-record logs';
  if (endpoint === 'DownloadCsvFile' || endpoint === 'admin/dataManager/downloadDataManagerFile')
    return 'failed-record files';
  if (endpoint.endsWith('/runs')) return 'run outcome';
  if (endpoint === 'findJobs' || endpoint === 'scheduleService' || endpoint.startsWith('admin/serviceJobs'))
    return 'repair';
  if (/(^|\/)(login|checkLoginOptions)$/.test(endpoint)) return 'login/discovery';
  return 'other';
};

const statesOf = (records: readonly OrderRecord[]) => {
  const counts = new Map<string, number>();
  for (const { state } of records) counts.set(state, (counts.get(state) ?? 0) + 1);
  return [...counts].map(([state, count]) => `${state} ${count}`).join(', ') || 'none';
};

/** What the re-import run is called on each backend's wire. */
const runs = {
  ofbiz: { run: 'scheduleService', runName: 'New Orders job runs' },
  maarg: { run: `admin/serviceJobs/${simFallbackJobName}/runNow`, runName: 'fallback order sync runs' },
} as const;

/**
 * How many HotWax calls a checked order costs on one backend: healthy orders in the checker's batches (one lookup per
 * batch), and a flash sale of 5,000 orders of which 500 are missing because the import is slow, where one window
 * re-import run (the New Orders job, or Maarg's fallback order sync) should serve every missing order of the window.
 */
export const benchChecker = async (
  backend: 'ofbiz' | 'maarg' = 'ofbiz',
): Promise<Record<string, number | string>> => {
  const aws = await startBenchAws();
  // The import is slow (an OFBiz New Orders run every 15 minutes): every batch of the sale's first checks sees its
  // missing orders still missing, whatever this machine's speed; the runs finish (at once) before the verify.
  const hotwax = await startHotwaxSim({ backend, importDelayMs: 15 * 60_000, maxCallLog: 1_000_000 });
  const shopify = await startShopifySim({ shop });
  try {
    let now = Date.now();
    const createdAt = now - 700_000;
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
      const indexes = Array.from({ length: count }, (_, index) => index);
      const messages = await mapLimit(indexes, 16, async (index) => {
        const id = nextOrderId();
        const payload = buildOrderPayload({ id, createdAt: new Date(createdAt).toISOString() });
        await shopify.addOrder(payload);
        if (missing(index))
          hotwax.queueShopifyOrder({ shopifyOrderId: String(id), importAs: 'ORDER_APPROVED' });
        else hotwax.addOrder({ externalId: String(id), statusId: 'ORDER_APPROVED' });
        const { record, check } = createdByWebhook(
          webOrderFacts(createdAt, { shop, orderId: String(id), orderName: String(payload.name) }),
          now - 600_000,
          600_000,
        );
        await store.save(record, { expectedVersion: undefined, events: [], now });
        return check;
      });
      return messages.filter((message): message is CheckMessage => message !== undefined);
    };
    const runBatches = async (messages: readonly CheckMessage[]) => {
      for (let start = 0; start < messages.length; start += batchSize) {
        await checkOrders(deps, messages.slice(start, start + batchSize));
        now += batchSpacingMs;
      }
    };
    const breakdown = (calls: readonly SimCall[]) => {
      const counts = new Map<string, number>();
      for (const call of calls) counts.set(kindOf(call), (counts.get(kindOf(call)) ?? 0) + 1);
      return counts;
    };

    // Healthy orders: one lookup per batch (plus discovery and one login for the whole run).
    const healthy = await seed(healthyOrders, () => false);
    hotwax.clearCalls();
    await runBatches(healthy);
    const healthyCalls = hotwax.callCount();
    const healthyLookups = breakdown(hotwax.calls).get('lookup') ?? 0;

    // Earlier failed imports (other orders): the sale's failure searches read their logs and files.
    for (let index = 0; index < earlierFailures; index++) {
      const id = String(nextOrderId());
      hotwax.queueShopifyOrder({ shopifyOrderId: id });
      hotwax.failImport(id, 'Customer phone is missing');
    }
    const earlier = hotwax.runScheduledImport();
    await hotwax.finishWorkNow();
    await earlier;

    // Flash sale: 5,000 orders, 500 of them not imported yet (the import is slow), all due within a minute.
    const every = Math.round(saleOrders / saleMissing);
    const sale = await seed(saleOrders, (index) => index % every === 3);
    hotwax.clearCalls();
    const shopifyBefore = shopify.callCount();
    await runBatches(sale);
    // Orders absent before the shop's learned import lag (the healthy orders taught it) wait for it, then are
    // looked at again together: their re-checks come due at about the same time, so they fill few batches.
    const awaiting = [...(await store.getMany(sale)).values()].filter(
      (record: OrderRecord) => record.state === 'pending_check' && record.nextCheckAt !== undefined,
    );
    if (awaiting.length > 0) {
      now = Math.max(now, ...awaiting.map((record) => record.nextCheckAt ?? now));
      await runBatches(
        awaiting.map((record) => ({
          v: 1,
          shop,
          orderId: record.orderId,
          reason: 'recheck',
          dueAt: record.nextCheckAt ?? now,
        })),
      );
    }
    const firstRoundCalls = hotwax.callCount();
    const jobRuns = hotwax.callCount(runs[backend].run);
    await hotwax.finishWorkNow();
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
    const kinds = breakdown(hotwax.calls);
    const final = [...(await store.getMany(sale)).values()];
    const perOrder = (value: number) => round(value / sale.length, 4);
    const kindRows = Object.fromEntries(
      (
        [
          'lookup',
          'failed-record logs',
          'failed-record files',
          'repair',
          'run outcome',
          'login/discovery',
          'other',
        ] as const
      ).map((kind) => [
        `flash sale: ${kind} calls (per order)`,
        `${kinds.get(kind) ?? 0} (${perOrder(kinds.get(kind) ?? 0)})`,
      ]),
    );
    return {
      [`healthy: orders checked (batches of ${batchSize})`]: healthy.length,
      'healthy: HotWax calls': healthyCalls,
      'healthy: HotWax calls per order incl. discovery and login': round(healthyCalls / healthy.length, 4),
      'healthy: HotWax lookups per order': round(healthyLookups / healthy.length, 4),
      'flash sale: orders / missing (slow import)': `${sale.length} / ${saleMissing}`,
      'flash sale: orders that waited for the learned import lag': awaiting.length,
      [`flash sale: ${runs[backend].runName}`]: jobRuns,
      'flash sale: HotWax calls, first checks (and the looks after the wait)': firstRoundCalls,
      'flash sale: HotWax calls incl. verify': saleCalls,
      'flash sale: HotWax calls per order': perOrder(saleCalls),
      ...kindRows,
      'flash sale: Shopify re-reads': shopify.callCount() - shopifyBefore,
      'flash sale: orders in sync after verify': `${final.filter((record) => record.state === 'in_sync').length} / ${sale.length}`,
      'flash sale: other states after verify': statesOf(final.filter((record) => record.state !== 'in_sync')),
    };
  } finally {
    await hotwax.stop();
    await shopify.stop();
    await aws.close();
  }
};
