import { MetricName } from '../../domain/metric-names.js';
import type { CheckMessage, OrderRecord } from '../../domain/order-sync.js';
import type {
  CheckQueue,
  Notification,
  Notifier,
  OrderRepository,
  ShopContext,
  Telemetry,
} from '../../domain/ports.js';
import type { Decision } from '../../domain/runbook/decide.js';
import { mapLimit } from '../map-limit.js';
import type { ClaimedCheck } from './claim-and-repair.js';

export interface TellPeopleDeps {
  store: Pick<OrderRepository, 'save'>;
  queue: CheckQueue;
  notifier: Notifier;
  telemetry: Telemetry;
  /** an order is in sync within the SLO when it reached HotWax this soon after its creation */
  syncSloSeconds: number;
}

/** The next check of a claimed decision: the verify of a repair, or the re-check of an order that waits. */
export const followUpCheck = ({ record, decision }: ClaimedCheck): CheckMessage | undefined =>
  decision.record.nextCheckAt === undefined
    ? undefined
    : {
        v: 1,
        shop: record.shop,
        orderId: record.orderId,
        reason: decision.action ? 'verify' : 'recheck',
        dueAt: decision.record.nextCheckAt,
      };

/** The decision's notification with the order's links. */
export const notificationOf = (shop: ShopContext, { record, decision }: ClaimedCheck, now: number) => {
  if (!decision.notify) return undefined;
  const hotwaxOrderId = decision.record.hotwax?.orderId;
  return {
    ...decision.notify,
    shop: record.shop,
    order: {
      orderId: record.orderId,
      orderName: record.orderName,
      channel: record.channel,
      state: decision.record.state,
      outOfSyncSince: record.createdAt,
      shopifyUrl: shop.shopify.orderUrl(record.orderId),
      ...(hotwaxOrderId ? { hotwaxUrl: shop.hotwax.orderUrl(hotwaxOrderId) } : {}),
    },
    at: now,
  } satisfies Notification;
};

const stateMetric = {
  in_sync: MetricName.OrdersInSync,
  reimport_requested: MetricName.OrdersMissing,
  blocked_on_data: MetricName.OrdersBlocked,
  stuck_created: MetricName.OrdersStuck,
  refresh_requested: MetricName.OrdersStuck,
  awaiting_approval: MetricName.OrdersAwaitingApproval,
  ambiguous: MetricName.OrdersAmbiguous,
  escalated: MetricName.Escalations,
} as const;

export const emitMetrics = (
  deps: Pick<TellPeopleDeps, 'telemetry' | 'syncSloSeconds'>,
  decision: Decision,
) => {
  const { record } = decision;
  const dimensions = { shop: record.shop, channel: record.channel };
  deps.telemetry.count(MetricName.ChecksRun, 1, dimensions);
  const metric = stateMetric[record.state as keyof typeof stateMetric];
  if (metric) deps.telemetry.count(metric, 1, dimensions);
  if (decision.action) deps.telemetry.count(MetricName.RepairsTriggered, 1, dimensions);
  if (decision.repairVerified) deps.telemetry.count(MetricName.RepairsVerified, 1, dimensions);
  if (decision.syncLagSeconds !== undefined) {
    deps.telemetry.value(MetricName.SyncLagSeconds, decision.syncLagSeconds, dimensions);
    deps.telemetry.count(
      MetricName.InSyncWithinSlo,
      decision.syncLagSeconds <= deps.syncSloSeconds ? 1 : 0,
      dimensions,
    );
  }
};

/**
 * "Tell people" about one shop's claimed decisions.
 *
 * 1. Queue every verify and re-check; a lost one is found by the sweep through the record's overdue nextCheckAt.
 * 2. Hand the notifications to the notifier. If that fails nobody was told: forget that they were, so the order's
 *    next re-check sends the alert again.
 * 3. Emit the metrics of every decision.
 */
export const tellPeople = async (
  deps: TellPeopleDeps,
  shop: ShopContext,
  claimed: readonly ClaimedCheck[],
  now: number,
): Promise<void> => {
  const checks = claimed.flatMap((check) => followUpCheck(check) ?? []);
  const notifications = claimed.flatMap((check) => notificationOf(shop, check, now) ?? []);
  const told = claimed.filter(({ decision }) => decision.notify && decision.notify.kind !== 'resolved');
  for (const { decision } of claimed) emitMetrics(deps, decision);

  if (checks.length > 0) {
    await deps.queue.schedule(checks, now).catch((error: unknown) =>
      deps.telemetry.error('Could not queue follow-up checks; the sweep recovers them once overdue', {
        error: String(error),
        orders: checks.map((check) => check.orderId),
      }),
    );
  }
  if (notifications.length === 0) return;
  await deps.notifier.notify(notifications).catch(async (error: unknown) => {
    deps.telemetry.count(MetricName.NotificationsFailed, notifications.length);
    deps.telemetry.error('Could not queue notifications; the orders tell people again at their next look', {
      error: String(error),
    });
    await mapLimit(told, 5, async ({ saved }) => {
      const { humanNotifiedAt: _told, ...untold } = saved;
      await deps.store
        .save(untold as OrderRecord, { expectedVersion: saved.version, events: [], now })
        .catch(() => undefined);
    });
  });
};
