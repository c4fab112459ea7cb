import { applyOrderSeen } from '../../domain/apply-order-seen.js';
import { type CheckMessage, type OrderRecord, orderKey } from '../../domain/order-sync.js';
import type { ShopifyOrderSnapshot, ShopifyOrderSummary } from '../../domain/ports.js';
import {
  compareWithRecord,
  factsFromSnapshot,
  planSweepWindows,
  type SweepProgress,
  type SweepWindow,
  sweepCheckDelayMs,
} from '../../domain/sweep-window.js';
import { mapLimit } from '../map-limit.js';
import { maxSaveAttempts, type SweepRun, writeConcurrency } from './sweep-run.js';

export class SweepRecordError extends Error {
  override name = 'SweepRecordError';
}

const listedOrders = 50;
/** Shopify's `nodes(ids:)` takes up to 250 ids. */
const snapshotBatch = 250;

/**
 * Records what a missed webhook would have told us about one order, with the same `applyOrderSeen` as the webhook:
 * an order with no record is found, one fulfilled in Shopify that we still expect only created gets the fulfilled
 * expectation. Conditional writes keep one check chain per order when a webhook lands at the same moment.
 */
const recordFinding = async (
  run: SweepRun,
  snapshot: ShopifyOrderSnapshot,
  initial: OrderRecord | undefined,
  at: number,
) => {
  const { deps } = run;
  const { shop, checkDelayMs, fulfilledCheckDelayMs } = deps.settings;
  let current = initial;
  for (let attempt = 1; attempt <= maxSaveAttempts; attempt++) {
    const finding = compareWithRecord(snapshot, current);
    if (finding.kind === 'none') return undefined;
    const expectation = finding.kind === 'found' ? finding.expectation : 'fulfilled';
    const outcome = applyOrderSeen(current, {
      facts: factsFromSnapshot(shop, snapshot),
      expectation,
      via: 'sweep',
      at,
      checkDelayMs: sweepCheckDelayMs({ snapshot, expectation, at, checkDelayMs, fulfilledCheckDelayMs }),
    });
    const event =
      finding.kind === 'found'
        ? outcome.event
        : {
            ...outcome.event,
            type: 'sweep.fulfilled',
            message: `Fulfilled in Shopify, but no orders/fulfilled webhook arrived. ${outcome.event.message}`,
          };
    const saved = await deps.store.save(outcome.record, {
      expectedVersion: current?.version,
      events: [event],
      now: at,
    });
    if (saved.result === 'saved') return { kind: finding.kind, check: outcome.check };
    // A webhook (or the checker) wrote the record meanwhile: compare again with what it wrote.
    current = await deps.store.get({ shop, orderId: snapshot.orderId });
  }
  throw new SweepRecordError(`order ${snapshot.orderId} kept changing while the sweep recorded it`);
};

/** Full snapshots of the listed orders that need a look, 250 a query (`nodes(ids:)`); their cost is counted. */
const snapshotsOf = async (run: SweepRun, orderIds: readonly string[]) => {
  const snapshots: ShopifyOrderSnapshot[] = [];
  for (let start = 0; start < orderIds.length; start += snapshotBatch) {
    const { orders, cost } = await run.deps.shopify.getOrders(orderIds.slice(start, start + snapshotBatch));
    run.summary.queryCost += cost?.actual ?? cost?.requested ?? 0;
    snapshots.push(...orders);
  }
  return snapshots;
};

/**
 * One page of Shopify's orders against our records, read a page at a time. The listing carries only what tells
 * whether an order needs a look; the few that do (no record, or fulfilled while we expect only created) are read
 * in full before anything is recorded, so the records get the same facts as a webhook would have given.
 */
const processPage = async (run: SweepRun, orders: readonly ShopifyOrderSummary[]) => {
  const { deps, summary } = run;
  const { shop } = deps.settings;
  const at = deps.clock.now();
  const records = await deps.store.getMany(orders.map((order) => ({ shop, orderId: order.orderId })));
  const byKey = new Map(records.map((record) => [orderKey(record), record]));
  const recordOf = (order: { orderId: string }) => byKey.get(orderKey({ shop, orderId: order.orderId }));
  const needLook = orders.filter((order) => compareWithRecord(order, recordOf(order)).kind !== 'none');
  // An order deleted between the listing and this read is left out: there is nothing to record.
  const candidates = await snapshotsOf(
    run,
    needLook.map((order) => order.orderId),
  );
  const checks: CheckMessage[] = [];
  await mapLimit(candidates, writeConcurrency, async (order) => {
    const result = await recordFinding(run, order, recordOf(order), at);
    if (!result) return;
    if (result.check) checks.push(result.check);
    const listed = { orderId: order.orderId, orderName: order.orderName };
    if (result.kind === 'found') {
      summary.webhooksMissed += 1;
      if (summary.missed.length < listedOrders) summary.missed.push(listed);
    } else {
      summary.expectationsApplied += 1;
      if (summary.fulfilledWithoutWebhook.length < listedOrders) summary.fulfilledWithoutWebhook.push(listed);
    }
  });
  // Should this fail, the records' nextCheckAt turns overdue and a later sweep's overdue step queues the checks.
  if (checks.length > 0) await deps.queue.schedule(checks, at);
  summary.ordersSeen += orders.length;
};

const listPage = async (run: SweepRun, window: SweepWindow, cursor: string | null) => {
  const { deps } = run;
  const request = { from: window.from, to: window.to, pageSize: deps.settings.pageSize };
  if (cursor === null) return deps.shopify.listOrderSummariesUpdated(request);
  try {
    return await deps.shopify.listOrderSummariesUpdated({ ...request, after: cursor });
  } catch (error) {
    // A cursor Shopify no longer accepts must not wedge every later sweep: re-read the window from its start.
    deps.telemetry.warn('Resuming from the checkpoint cursor failed; sweeping the window from its start', {
      shop: deps.settings.shop,
      error: String(error),
    });
    return deps.shopify.listOrderSummariesUpdated(request);
  }
};

/**
 * Plans the windows from the checkpoint (overlapping the last one) and pages through Shopify's orders updated in
 * them. Saves the checkpoint (window and cursor) after every page and stops before the deadline: a run that stops
 * early or fails is resumed by the next one. Resolves to whether every window was swept to its end.
 */
export const sweepWindows = async (
  run: SweepRun,
  checkpoint: SweepProgress,
  sinceMs: number | undefined,
): Promise<boolean> => {
  const { deps, summary, now } = run;
  const { settings, telemetry, clock } = deps;
  const { shop } = settings;
  const windows = planSweepWindows({ progress: checkpoint, now, settings, sinceMs });
  const first = windows[0];
  const last = windows.at(-1);
  if (!first || !last) return true;
  summary.window = { from: first.from, to: last.to };
  const behindMs = now - settings.settleMs - (checkpoint.lastCompletedEnd ?? now);
  if (sinceMs === undefined && behindMs > 2 * settings.intervalMs) {
    telemetry.warn('The sweep is behind schedule; it catches up window by window', { shop, behindMs });
  }
  const timeUp = () => run.stopping() || clock.now() + settings.stopBeforeDeadlineMs >= run.deadline;
  const totalMs = windows.reduce((total, window) => total + (window.to - window.from), 0);
  let doneMs = 0;
  for (const [index, window] of windows.entries()) {
    let cursor = window.cursor;
    for (;;) {
      if (timeUp()) return false;
      const page = await listPage(run, window, cursor);
      summary.pages += 1;
      summary.queryCost += page.cost?.actual ?? page.cost?.requested ?? 0;
      await processPage(run, page.orders);
      cursor = page.endCursor;
      const finished = !page.hasNextPage;
      await deps.checkpoints.saveProgress({
        shop,
        owner: run.owner,
        progress: finished ? { lastCompletedEnd: window.to } : { current: { ...window, cursor } },
      });
      const reached = page.orders.at(-1)?.updatedAt ?? window.from;
      deps.onProgress?.({
        windowIndex: index,
        windowCount: windows.length,
        coveredMs: doneMs + (finished ? window.to - window.from : Math.max(0, reached - window.from)),
        totalMs,
        pages: summary.pages,
        ordersSeen: summary.ordersSeen,
        webhooksMissed: summary.webhooksMissed,
        expectationsApplied: summary.expectationsApplied,
      });
      if (finished) break;
    }
    doneMs += window.to - window.from;
    summary.windows += 1;
  }
  return true;
};
