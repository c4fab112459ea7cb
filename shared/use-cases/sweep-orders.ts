import { randomUUID } from 'node:crypto';
import type { OrderStore } from '../adapters/dynamo/order-store.js';
import { orderKeyString } from '../adapters/dynamo/order-store.js';
import type { SweepCheckpointStore } from '../adapters/dynamo/sweep-checkpoint-store.js';
import { monitoredWebhookTopics, type ShopifyAdmin } from '../adapters/shopify/admin-client.js';
import { applyOrderSeen, overdueAfterMs } from '../domain/apply-order-seen.js';
import type { CheckMessage, OrderRecord, SyncState, TimelineEvent } from '../domain/order-sync.js';
import type {
  CheckQueuePort,
  Clock,
  Notification,
  NotifierPort,
  ShopifyOrderSnapshot,
} from '../domain/ports.js';
import {
  compareWithRecord,
  defaultSweepWindowSettings,
  factsFromSnapshot,
  missingSubscriptions,
  nextMissedStreak,
  planSweepWindows,
  type SweepWindow,
  type SweepWindowSettings,
  sweepCheckDelayMs,
} from '../domain/sweep-window.js';
import { normaliseTopic } from '../domain/webhook-topics.js';
import { MetricName } from '../observability/metric-names.js';
import type { Telemetry } from '../observability/telemetry.js';

export interface SweepSettings extends SweepWindowSettings {
  shop: string;
  /** orders per Admin API page, 1-250 */
  pageSize: number;
  checkDelayMs: number;
  fulfilledCheckDelayMs: number;
  /** a scheduled check this far past due is presumed lost and queued again */
  overdueGraceMs: number;
  /** overdue records recovered per run at most; the rest wait for the next run */
  overdueLimit: number;
  /** the schedule's period: a checkpoint more than two periods behind is reported */
  intervalMs: number;
  /** no new page is started this close to the deadline, so the run ends cleanly before Lambda stops it */
  stopBeforeDeadlineMs: number;
  restoreSubscriptions: boolean;
  /** where the webhook subscriptions must deliver; without it only their existence is checked */
  webhookCallbackUrl?: string | undefined;
}

export const defaultSweepSettings = {
  ...defaultSweepWindowSettings,
  // Cost is per order returned, so the largest page costs the fewest calls for the same points (bench/sweep.bench.ts).
  pageSize: 250,
  checkDelayMs: 600_000,
  fulfilledCheckDelayMs: 300_000,
  overdueGraceMs: overdueAfterMs,
  overdueLimit: 500,
  intervalMs: 900_000,
  stopBeforeDeadlineMs: 20_000,
  restoreSubscriptions: false,
} satisfies Omit<SweepSettings, 'shop'>;

export interface SweepOrdersDeps {
  shopify: Pick<ShopifyAdmin, 'listOrdersUpdated' | 'listWebhookSubscriptions' | 'createWebhookSubscription'>;
  store: Pick<OrderStore, 'get' | 'getMany' | 'save' | 'listOverdue'>;
  checkpoints: Pick<SweepCheckpointStore, 'claim' | 'saveProgress' | 'release'>;
  queue: CheckQueuePort;
  notifier: NotifierPort;
  telemetry: Telemetry;
  clock: Clock;
  settings: SweepSettings;
  /** called after every page (the CLI's progress bar) */
  onProgress?: (progress: SweepProgressEvent) => void;
}

export interface SweepProgressEvent {
  windowIndex: number;
  windowCount: number;
  /** ms of `updated_at` covered so far, of `totalMs` planned */
  coveredMs: number;
  totalMs: number;
  pages: number;
  ordersSeen: number;
  webhooksMissed: number;
  expectationsApplied: number;
}

export interface SweptOrder {
  orderId: string;
  orderName: string;
}

export interface SweepSummary {
  shop: string;
  /** the `updated_at` range this run set out to sweep; null when there was nothing to sweep */
  window: { from: number; to: number } | null;
  /** windows swept to their end */
  windows: number;
  pages: number;
  ordersSeen: number;
  /** orders with no record: no webhook ever arrived */
  webhooksMissed: number;
  /** orders fulfilled in Shopify whose orders/fulfilled webhook never arrived */
  expectationsApplied: number;
  overdueRecovered: number;
  /** Admin API cost points of the order pages */
  queryCost: number;
  subscriptions: { checked: boolean; missing: string[]; restored: string[] };
  /** false when the run stopped early (deadline, lease held elsewhere); the next run continues */
  completed: boolean;
  /** why nothing was done */
  skipped?: string;
  /** the first orders found without webhooks, for people (at most 50 of each) */
  missed: SweptOrder[];
  fulfilledWithoutWebhook: SweptOrder[];
}

export class SweepRecordError extends Error {
  override name = 'SweepRecordError';
}

/** Conflicting writes (a webhook, the checker) retried before the order is left to the next sweep. */
const maxSaveAttempts = 4;
const writeConcurrency = 8;
const listedOrders = 50;
/** The lease outlives the run's deadline a little, so a run killed at its deadline blocks the next only briefly. */
const leaseMarginMs = 30_000;
/** States in which no check is owed: a person owns the order, or it needs nothing. */
const noCheckStates: ReadonlySet<SyncState> = new Set(['in_sync', 'ignored', 'escalated']);

const iso = (ms: number) => new Date(ms).toISOString();

const mapLimit = async <T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/**
 * The reconciliation sweep: catches what Shopify's webhooks missed and checks that were lost.
 *
 * 1. Claim the sweep lease for the shop (a conditional write): two sweeps never work the same window.
 * 2. Subscription watchdog: Shopify deletes a subscription after 8 failed deliveries over 4 hours. When
 *    orders/create or orders/fulfilled no longer deliver to WEBHOOK_CALLBACK_URL, count it (SubscriptionsMissing),
 *    tell people, and with RESTORE_WEBHOOK_SUBSCRIPTIONS re-create it.
 * 3. Re-queue checks whose `nextCheckAt` is past due by more than the grace (never queued, or the message was lost):
 *    a fresh `nextCheckAt` with a conditional save, then the check (SweepOverdueChecksRecovered). Steps 2 and 3 come
 *    first because they are small and must not starve behind a backlog of orders.
 * 4. Plan the windows from the checkpoint (overlapping the last one) and page through Shopify's orders updated in
 *    them, reading our records a page at a time. An order with no record is recorded as found by the sweep and its
 *    check queued, exactly as its webhook would have (SweepWebhooksMissed); an order fulfilled in Shopify that we
 *    still expect only created gets the fulfilled expectation. `applyOrderSeen` and conditional writes keep one check
 *    chain per order when a webhook arrives at the same moment.
 * 5. Save the checkpoint (window and cursor) after every page, and stop before the deadline: a run that stops early
 *    or fails is resumed by the next one.
 * 6. Emit SweepOrdersSeen / SweepWebhooksMissed / SweepOverdueChecksRecovered; when this sweep and the previous one
 *    both found missed webhooks, send one Slack alarm for the streak.
 */
export const sweepOrders = async (
  deps: SweepOrdersDeps,
  options: { now: number; deadline: number; sinceMs?: number | undefined },
): Promise<SweepSummary> => {
  const { settings, telemetry, clock } = deps;
  const { shop } = settings;
  const summary: SweepSummary = {
    shop,
    window: null,
    windows: 0,
    pages: 0,
    ordersSeen: 0,
    webhooksMissed: 0,
    expectationsApplied: 0,
    overdueRecovered: 0,
    queryCost: 0,
    subscriptions: { checked: false, missing: [], restored: [] },
    completed: false,
    missed: [],
    fulfilledWithoutWebhook: [],
  };

  const owner = randomUUID();
  const claim = await deps.checkpoints.claim({
    shop,
    owner,
    now: options.now,
    leaseUntil: options.deadline + leaseMarginMs,
  });
  if (!claim.claimed) {
    summary.skipped = `another sweep of ${shop} holds the lease until ${iso(claim.heldUntil)}`;
    telemetry.warn('Sweep skipped: another sweep is running', { shop, heldUntil: claim.heldUntil });
    return summary;
  }
  const { checkpoint } = claim;
  const timeUp = () => clock.now() + settings.stopBeforeDeadlineMs >= options.deadline;
  let missingTopics = checkpoint.missingTopics;
  let streakUpdate: { consecutiveMissedSweeps: number; lastRunMissed: number } | undefined;

  const notify = async (notification: Notification) => {
    try {
      await deps.notifier.notify([notification]);
    } catch (error) {
      // The CloudWatch alarms on the same metrics still fire; the sweep's own work is done and stays done.
      telemetry.error('Sweep notification could not be queued', {
        title: notification.title,
        error: String(error),
      });
    }
  };

  // --- 2. the subscription watchdog -----------------------------------------------------------------------------
  const watchSubscriptions = async () => {
    const callbackUrl = settings.webhookCallbackUrl;
    const subscriptions = await deps.shopify.listWebhookSubscriptions();
    const missing = missingSubscriptions(monitoredWebhookTopics, subscriptions, callbackUrl);
    const restored: typeof missing = [];
    if (missing.length > 0 && settings.restoreSubscriptions && callbackUrl) {
      for (const topic of missing) {
        try {
          await deps.shopify.createWebhookSubscription(topic, callbackUrl);
          restored.push(topic);
        } catch (error) {
          telemetry.error('Could not re-create a webhook subscription', {
            shop,
            topic,
            error: String(error),
          });
        }
      }
    }
    const names = missing.map(normaliseTopic);
    summary.subscriptions = { checked: true, missing: names, restored: restored.map(normaliseTopic) };
    telemetry.count(MetricName.SubscriptionsMissing, missing.length);
    if (missing.length === 0) {
      missingTopics = [];
      return;
    }
    telemetry.error('Webhook subscriptions missing', {
      shop,
      missing: names,
      restored: summary.subscriptions.restored,
    });
    const stillMissing = names.filter((name) => !summary.subscriptions.restored.includes(name));
    // The metric alarms every sweep; people hear once per gap, and again when the sweep repaired it.
    if (restored.length > 0 || stillMissing.join() !== missingTopics.join()) {
      await notify(
        subscriptionNotification(shop, names, summary.subscriptions.restored, settings, clock.now()),
      );
    }
    missingTopics = stillMissing;
  };

  // --- 3. overdue checks ----------------------------------------------------------------------------------------
  const recoverOverdue = async () => {
    const at = clock.now();
    const overdue = await deps.store.listOverdue(shop, at - settings.overdueGraceMs, settings.overdueLimit);
    const checks: CheckMessage[] = [];
    await mapLimit(overdue, writeConcurrency, async (record) => {
      if (noCheckStates.has(record.state)) return;
      const lostAt = record.nextCheckAt ?? 0;
      const event: TimelineEvent = {
        at,
        type: 'sweep.check_recovered',
        state: record.state,
        message:
          lostAt > 0
            ? `The check due ${iso(lostAt)} never ran (its message was lost); the reconciliation sweep queued it again.`
            : 'The check was never queued; the reconciliation sweep queued it.',
        detail: { lostCheckAt: lostAt },
      };
      const saved = await deps.store.save(
        { ...record, nextCheckAt: at },
        { expectedVersion: record.version, events: [event], now: at },
      );
      // A conflict means the checker or a webhook moved the order on: its chain is alive.
      if (saved.result === 'saved')
        checks.push({ v: 1, shop, orderId: record.orderId, reason: 'sweep', dueAt: at });
    });
    // Should this fail, the fresh nextCheckAt becomes overdue in turn and the next sweep queues it again.
    if (checks.length > 0) await deps.queue.schedule(checks, at);
    summary.overdueRecovered += checks.length;
  };

  // --- 4. orders Shopify updated in the window ------------------------------------------------------------------
  const recordFinding = async (
    snapshot: ShopifyOrderSnapshot,
    initial: OrderRecord | undefined,
    at: number,
  ) => {
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
        checkDelayMs: sweepCheckDelayMs({
          snapshot,
          expectation,
          at,
          checkDelayMs: settings.checkDelayMs,
          fulfilledCheckDelayMs: settings.fulfilledCheckDelayMs,
        }),
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

  const processPage = async (orders: readonly ShopifyOrderSnapshot[]) => {
    const at = clock.now();
    const records = await deps.store.getMany(orders.map((order) => ({ shop, orderId: order.orderId })));
    const recordOf = (order: ShopifyOrderSnapshot) =>
      records.get(orderKeyString({ shop, orderId: order.orderId }));
    const candidates = orders.filter((order) => compareWithRecord(order, recordOf(order)).kind !== 'none');
    const checks: CheckMessage[] = [];
    await mapLimit(candidates, writeConcurrency, async (order) => {
      const result = await recordFinding(order, recordOf(order), at);
      if (!result) return;
      if (result.check) checks.push(result.check);
      const listed = { orderId: order.orderId, orderName: order.orderName };
      if (result.kind === 'found') {
        summary.webhooksMissed += 1;
        if (summary.missed.length < listedOrders) summary.missed.push(listed);
      } else {
        summary.expectationsApplied += 1;
        if (summary.fulfilledWithoutWebhook.length < listedOrders)
          summary.fulfilledWithoutWebhook.push(listed);
      }
    });
    // Should this fail, the records' nextCheckAt turns overdue and step 3 of a later sweep queues the checks.
    if (checks.length > 0) await deps.queue.schedule(checks, at);
    summary.ordersSeen += orders.length;
  };

  const sweepWindows = async (): Promise<boolean> => {
    const windows = planSweepWindows({
      progress: checkpoint,
      now: options.now,
      settings,
      sinceMs: options.sinceMs,
    });
    const first = windows[0];
    const last = windows.at(-1);
    if (!first || !last) return true;
    summary.window = { from: first.from, to: last.to };
    const behindMs = options.now - settings.settleMs - (checkpoint.lastCompletedEnd ?? options.now);
    if (options.sinceMs === undefined && behindMs > 2 * settings.intervalMs) {
      telemetry.warn('The sweep is behind schedule; it catches up window by window', { shop, behindMs });
    }
    const totalMs = windows.reduce((total, window) => total + (window.to - window.from), 0);
    let doneMs = 0;
    for (const [index, window] of windows.entries()) {
      let cursor = window.cursor;
      for (;;) {
        if (timeUp()) return false;
        const page = await listPage(window, cursor);
        summary.pages += 1;
        summary.queryCost += page.cost?.actual ?? page.cost?.requested ?? 0;
        await processPage(page.orders);
        cursor = page.endCursor;
        const finished = !page.hasNextPage;
        await deps.checkpoints.saveProgress({
          shop,
          owner,
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

  const listPage = async (window: SweepWindow, cursor: string | null) => {
    const request = { from: window.from, to: window.to, pageSize: settings.pageSize };
    if (cursor === null) return deps.shopify.listOrdersUpdated(request);
    try {
      return await deps.shopify.listOrdersUpdated({ ...request, after: cursor });
    } catch (error) {
      // A cursor Shopify no longer accepts must not wedge every later sweep: re-read the window from its start.
      telemetry.warn('Resuming from the checkpoint cursor failed; sweeping the window from its start', {
        shop,
        error: String(error),
      });
      return deps.shopify.listOrdersUpdated(request);
    }
  };

  try {
    try {
      await watchSubscriptions();
    } catch (error) {
      telemetry.error('Webhook subscriptions could not be read; checked again next sweep', {
        shop,
        error: String(error),
      });
    }
    await recoverOverdue();
    summary.completed = await sweepWindows();

    if (summary.pages > 0) {
      const { streak, alarm } = nextMissedStreak(checkpoint.consecutiveMissedSweeps, summary.webhooksMissed);
      streakUpdate = { consecutiveMissedSweeps: streak, lastRunMissed: summary.webhooksMissed };
      if (alarm) await notify(missedWebhooksNotification(summary, checkpoint.lastRunMissed, clock.now()));
    }
    telemetry.info('Sweep finished', { ...summary, missed: undefined, fulfilledWithoutWebhook: undefined });
    return summary;
  } finally {
    telemetry.count(MetricName.SweepOrdersSeen, summary.ordersSeen);
    telemetry.count(MetricName.SweepWebhooksMissed, summary.webhooksMissed);
    telemetry.count(MetricName.SweepOverdueChecksRecovered, summary.overdueRecovered);
    const released = await deps.checkpoints
      .release({ shop, owner, update: { ...streakUpdate, missingTopics, lastRunAt: options.now } })
      .catch((error: unknown) => {
        // The lease then simply expires at the deadline; the error that matters is the one already thrown, if any.
        telemetry.error('Sweep lease could not be released', { shop, error: String(error) });
        return true;
      });
    if (!released) telemetry.warn('Sweep lease had passed to another run before this one ended', { shop });
  }
};

const subscriptionNotification = (
  shop: string,
  missing: readonly string[],
  restored: readonly string[],
  settings: SweepSettings,
  at: number,
): Notification => {
  const list = missing.join(' and ');
  const target = settings.webhookCallbackUrl ?? 'this monitor';
  const allRestored = restored.length === missing.length;
  const why =
    'Find out why deliveries failed: the webhook function’s errors and 5xx answers before it disappeared.';
  return {
    kind: 'alarm',
    shop,
    title: allRestored ? `Webhook subscription re-created: ${list}` : `Webhook subscription missing: ${list}`,
    cause:
      `Shopify has no ${list} subscription delivering to ${target}. Shopify deletes a subscription after its ` +
      'deliveries fail 8 times over 4 hours; until it is back, orders reach the monitor only through the ' +
      `reconciliation sweep (every ${Math.round(settings.intervalMs / 60_000)} min).`,
    fix: allRestored
      ? `The sweep re-created it (RESTORE_WEBHOOK_SUBSCRIPTIONS=true). ${why}`
      : settings.webhookCallbackUrl
        ? `Re-create the app's ${list} subscription to ${settings.webhookCallbackUrl}, or set ` +
          `RESTORE_WEBHOOK_SUBSCRIPTIONS=true so the sweep does it. ${why}`
        : `Re-create the app's ${list} subscription; set WEBHOOK_CALLBACK_URL (and RESTORE_WEBHOOK_SUBSCRIPTIONS=true) ` +
          `so the sweep can check where it delivers and re-create it. ${why}`,
    bundle: { missing, restored, callbackUrl: settings.webhookCallbackUrl ?? null },
    at,
  };
};

const missedWebhooksNotification = (summary: SweepSummary, previous: number, at: number): Notification => ({
  kind: 'alarm',
  shop: summary.shop,
  title: 'Shopify webhooks are being missed',
  cause:
    `Two sweeps in a row found orders in Shopify whose webhooks never reached the monitor (${previous} in the ` +
    `previous sweep, ${summary.webhooksMissed} in this one). Shopify is failing to deliver to the webhook endpoint, ` +
    'or the subscription is being deleted.',
  fix:
    'Check the webhook endpoint’s 5xx answers and the SubscriptionsMissing alarm. Nothing is lost meanwhile: the ' +
    'sweep records these orders and schedules their checks.',
  bundle: { missedThisSweep: summary.webhooksMissed, missedPreviousSweep: previous, orders: summary.missed },
  at,
});
