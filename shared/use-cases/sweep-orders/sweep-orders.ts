import { randomUUID } from 'node:crypto';
import { MetricName } from '../../domain/metric-names.js';
import type { Notification } from '../../domain/ports.js';
import { nextMissedStreak } from '../../domain/sweep-window.js';
import { recoverOverdue } from './recover-overdue.js';
import { missedWebhooksNotification } from './sweep-notifications.js';
import { emptySummary, iso, type SweepOrdersDeps, type SweepRun, type SweepSummary } from './sweep-run.js';
import { sweepWindows } from './sweep-windows.js';
import { watchImportFlows } from './watch-import-flows.js';
import { watchSubscriptions } from './watch-subscriptions.js';

export type {
  SweepOrdersDeps,
  SweepProgressEvent,
  SweepSettings,
  SweepSummary,
  SweptOrder,
} from './sweep-run.js';
export { SweepRecordError } from './sweep-windows.js';

/** The lease outlives the run's deadline a little, so a run killed at its deadline blocks the next only briefly. */
const leaseMarginMs = 30_000;

/**
 * The reconciliation sweep of one shop: catches what Shopify's webhooks missed and checks that were lost.
 *
 * 1. Claim the sweep lease for the shop (a conditional write): two sweeps never work the same window.
 * 2. The shop's HotWax (`watchImportFlows`): job parameters a crashed re-import left swapped are restored first,
 *    then HotWax's import flows are watched (ImportFlowUnhealthy; one message when one turns unhealthy, one when it
 *    runs clean again). Then the subscription watchdog (`watchSubscriptions`): a deleted or misdirected
 *    orders/create or orders/fulfilled subscription is counted, told, and with RESTORE_WEBHOOK_SUBSCRIPTIONS
 *    re-created.
 * 3. Lost checks (`recoverOverdue`): checks past due by more than the grace are queued again. Steps 2 and 3 come
 *    first because they are small and must not starve behind a backlog of orders.
 * 4. Orders Shopify updated in the windows since the checkpoint (`sweepWindows`): an order with no record is
 *    recorded as found by the sweep and its check queued, exactly as its webhook would have (SweepWebhooksMissed);
 *    an order fulfilled in Shopify that we still expect only created gets the fulfilled expectation.
 * 5. When this sweep and the previous one both found missed webhooks, one Slack alarm for the streak; emit
 *    SweepOrdersSeen / SweepWebhooksMissed / SweepOverdueChecksRecovered and give the lease back.
 */
export const sweepOrders = async (
  deps: SweepOrdersDeps,
  options: { now: number; deadline: number; sinceMs?: number | undefined },
): Promise<SweepSummary> => {
  const { settings, telemetry, clock } = deps;
  const { shop } = settings;
  const summary = emptySummary(shop);
  const owner = randomUUID();

  // 1. The lease.
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
  const run: SweepRun = {
    deps,
    owner,
    now: options.now,
    deadline: options.deadline,
    summary,
    notify: async (notification: Notification) => {
      try {
        await deps.notifier.notify([notification]);
      } catch (error) {
        // The CloudWatch alarms on the same metrics still fire; the sweep's own work is done and stays done.
        telemetry.error('Sweep notification could not be queued', {
          title: notification.title,
          error: String(error),
        });
      }
    },
  };
  let missingTopics = checkpoint.missingTopics;
  let importFlows = checkpoint.importFlows;
  let streakUpdate: { consecutiveMissedSweeps: number; lastRunMissed: number } | undefined;

  try {
    // 2. and 3.
    importFlows = await watchImportFlows(run, checkpoint.importFlows);
    try {
      missingTopics = await watchSubscriptions(run, checkpoint.missingTopics);
    } catch (error) {
      telemetry.error('Webhook subscriptions could not be read; checked again next sweep', {
        shop,
        error: String(error),
      });
    }
    await recoverOverdue(run);
    // 4.
    summary.completed = await sweepWindows(run, checkpoint, options.sinceMs);

    // 5.
    if (summary.pages > 0) {
      const { streak, alarm } = nextMissedStreak(checkpoint.consecutiveMissedSweeps, summary.webhooksMissed);
      streakUpdate = { consecutiveMissedSweeps: streak, lastRunMissed: summary.webhooksMissed };
      if (alarm) await run.notify(missedWebhooksNotification(summary, checkpoint.lastRunMissed, clock.now()));
    }
    telemetry.info('Sweep finished', { ...summary, missed: undefined, fulfilledWithoutWebhook: undefined });
    return summary;
  } finally {
    telemetry.count(MetricName.SweepOrdersSeen, summary.ordersSeen);
    telemetry.count(MetricName.SweepWebhooksMissed, summary.webhooksMissed);
    telemetry.count(MetricName.SweepOverdueChecksRecovered, summary.overdueRecovered);
    const released = await deps.checkpoints
      .release({
        shop,
        owner,
        update: { ...streakUpdate, missingTopics, importFlows, lastRunAt: options.now },
      })
      .catch((error: unknown) => {
        // The lease then simply expires at the deadline; the error that matters is the one already thrown, if any.
        telemetry.error('Sweep lease could not be released', { shop, error: String(error) });
        return true;
      });
    if (!released) telemetry.warn('Sweep lease had passed to another run before this one ended', { shop });
  }
};
