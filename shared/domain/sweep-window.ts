import type { Expectation, OrderFacts, OrderRecord } from './order-sync.js';
import type { ShopifyOrderSnapshot } from './ports.js';

/**
 * What the reconciliation sweep plans and compares. Shopify does not guarantee webhook delivery (8 retries over
 * 4 hours, then the subscription is deleted), so every few minutes the sweep lists the orders Shopify updated in a
 * window and compares each with our record. Pure: no clock, no I/O.
 */

/** A range of Shopify `updated_at` [from, to) in epoch ms, and where to resume inside it. */
export interface SweepWindow {
  from: number;
  to: number;
  /** Shopify's cursor after the last page already processed; null = from the start of the window */
  cursor: string | null;
}

/** Where the sweeps got to, as kept in the checkpoint. */
export interface SweepProgress {
  /** end of the last window swept to its end */
  lastCompletedEnd?: number | undefined;
  /** the window a run stopped inside (deadline, failure), with the cursor after its last processed page */
  current?: SweepWindow | undefined;
}

export interface SweepWindowSettings {
  /** re-read the end of the previous window: Shopify's search index lags behind its writes */
  overlapMs: number;
  /** how far back the very first sweep looks */
  lookbackMs: number;
  /** longer gaps (sweeper paused, outage) are split so each window is checkpointed on its own */
  maxWindowMs: number;
  /** orders updated this recently are left to the next sweep: their webhook may still be on its way */
  settleMs: number;
}

/** Everything one sweep of one shop runs with. */
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

/** The sweep's limits, which are not configuration. */
export const sweepLimits = {
  // Cost is per order returned, so the largest page costs the fewest calls for the same points (bench/sweep.bench.ts).
  pageSize: 250,
  overdueLimit: 500,
  stopBeforeDeadlineMs: 20_000,
} satisfies Partial<SweepSettings>;

/** [from, to) cut into consecutive windows of at most `maxWindowMs`; none when the range is empty. */
export const splitWindow = (from: number, to: number, maxWindowMs: number): SweepWindow[] => {
  const windows: SweepWindow[] = [];
  const step = Math.max(1, maxWindowMs);
  for (let start = from; start < to; start += step) {
    windows.push({ from: start, to: Math.min(to, start + step), cursor: null });
  }
  return windows;
};

/**
 * The windows one sweep run works through, oldest first.
 *
 * 1. `sinceMs` (an on-demand run, `--since 2h`) sweeps [now - since, now - settle] whatever the checkpoint says.
 * 2. A window a previous run stopped inside is finished first, from its cursor.
 * 3. Then from the end of the last completed window, overlapping it by `overlapMs`; the first sweep ever looks back
 *    `lookbackMs`.
 * 4. Up to `now - settleMs`, in windows of at most `maxWindowMs`.
 */
export const planSweepWindows = (params: {
  progress: SweepProgress;
  now: number;
  settings: SweepWindowSettings;
  sinceMs?: number | undefined;
}): SweepWindow[] => {
  const { progress, now, settings } = params;
  const end = now - settings.settleMs;
  if (params.sinceMs !== undefined) return splitWindow(now - params.sinceMs, end, settings.maxWindowMs);

  const { current } = progress;
  if (current) {
    // The unfinished window keeps its bounds (its cursor belongs to that query); the rest follows it seamlessly.
    return [{ ...current }, ...splitWindow(current.to, end, settings.maxWindowMs)];
  }
  const from =
    progress.lastCompletedEnd === undefined
      ? now - settings.lookbackMs
      : progress.lastCompletedEnd - settings.overlapMs;
  return splitWindow(from, end, settings.maxWindowMs);
};

/** What the sweep does about one order Shopify listed. */
export type SweepFinding =
  /** no record: the webhooks never arrived; record it as a webhook would have */
  | { kind: 'found'; expectation: Expectation }
  /** fulfilled in Shopify, but we still expect only "created": the orders/fulfilled webhook never arrived */
  | { kind: 'fulfilled' }
  | { kind: 'none' };

/** Shopify's REST `fulfillment_status` is `fulfilled` only once every line shipped, as orders/fulfilled fires. */
export const expectationOf = (snapshot: Pick<ShopifyOrderSnapshot, 'fulfillmentStatus'>): Expectation =>
  snapshot.fulfillmentStatus === 'fulfilled' ? 'fulfilled' : 'created';

/** Shopify's snapshot vs our record: what a missed webhook would have told us. */
export const compareWithRecord = (
  snapshot: Pick<ShopifyOrderSnapshot, 'fulfillmentStatus'>,
  record: Pick<OrderRecord, 'expectation'> | undefined,
): SweepFinding => {
  const expectation = expectationOf(snapshot);
  if (!record) return { kind: 'found', expectation };
  if (record.expectation === 'created' && expectation === 'fulfilled') return { kind: 'fulfilled' };
  return { kind: 'none' };
};

/** The facts a webhook would have carried, from the Admin API's snapshot (its display fields are not kept). */
export const factsFromSnapshot = (shop: string, snapshot: ShopifyOrderSnapshot): OrderFacts => ({
  shop,
  orderId: snapshot.orderId,
  orderName: snapshot.orderName,
  channel: snapshot.channel,
  sourceName: snapshot.sourceName,
  createdAt: snapshot.createdAt,
  updatedAt: snapshot.updatedAt,
  cancelledAt: snapshot.cancelledAt,
  test: snapshot.test,
  financialStatus: snapshot.financialStatus,
  fulfillmentStatus: snapshot.fulfillmentStatus,
  flags: { ...snapshot.flags },
});

/**
 * The check of an order the sweep found is due when the webhook's check would have been (the event time plus the
 * delay), never in the past: HotWax imports orders by itself, so an order found late has had its time already.
 * A webhook arriving after the sweep then finds an earlier check scheduled and adds none.
 */
export const sweepCheckDelayMs = (params: {
  snapshot: Pick<ShopifyOrderSnapshot, 'createdAt' | 'updatedAt'>;
  expectation: Expectation;
  at: number;
  checkDelayMs: number;
  fulfilledCheckDelayMs: number;
}): number => {
  const { snapshot, expectation, at } = params;
  // Shopify's updatedAt is the closest the snapshot has to when the order was fulfilled.
  const due =
    expectation === 'fulfilled'
      ? snapshot.updatedAt + params.fulfilledCheckDelayMs
      : snapshot.createdAt + params.checkDelayMs;
  return Math.max(0, due - at);
};

/**
 * Consecutive sweeps that found missed webhooks. One sweep can race a webhook still on its way; two in a row mean
 * Shopify is losing deliveries, and people hear about it once per streak.
 */
export const nextMissedStreak = (
  previousStreak: number,
  missedThisSweep: number,
): { streak: number; alarm: boolean } => {
  const streak = missedThisSweep > 0 ? previousStreak + 1 : 0;
  return { streak, alarm: streak === 2 };
};

export interface SubscriptionView {
  /** GraphQL enum (`ORDERS_CREATE`) or REST name (`orders/create`) */
  topic: string;
  callbackUrl: string;
}

const sameUrl = (a: string, b: string): boolean => {
  const normal = (value: string) => {
    try {
      return new URL(value).href.replace(/\/$/, '');
    } catch {
      return value.trim();
    }
  };
  return normal(a) === normal(b);
};

const topicKey = (topic: string) => topic.trim().toUpperCase().replace('/', '_');

/**
 * Topics with no subscription delivering to `callbackUrl` (Shopify deleted it after failed deliveries, or it points
 * at an old endpoint). Without a callback URL only the existence of a subscription per topic is checked.
 */
export const missingSubscriptions = <T extends string>(
  wanted: readonly T[],
  subscriptions: readonly SubscriptionView[],
  callbackUrl?: string,
): T[] =>
  wanted.filter(
    (topic) =>
      !subscriptions.some(
        (subscription) =>
          topicKey(subscription.topic) === topicKey(topic) &&
          (callbackUrl === undefined || sameUrl(subscription.callbackUrl, callbackUrl)),
      ),
  );

export class InvalidDurationError extends Error {
  override name = 'InvalidDurationError';
}

const units: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `2h`, `1d`, `1h30m` → milliseconds. */
export const parseDuration = (text: string): number => {
  const value = text.trim().toLowerCase();
  const parts = [...value.matchAll(/(\d+)\s*([smhd])/g)];
  const consumed = parts.map((part) => part[0]).join('');
  if (parts.length === 0 || consumed.replace(/\s/g, '') !== value.replace(/\s/g, '')) {
    throw new InvalidDurationError(`"${text}" is not a duration such as 30m, 2h or 1d`);
  }
  const ms = parts.reduce(
    (total, [, amount, unit]) => total + Number(amount) * (units[unit as string] ?? 0),
    0,
  );
  if (ms <= 0) throw new InvalidDurationError(`"${text}" must be longer than zero`);
  return ms;
};
