import { randomUUID } from 'node:crypto';
import { MetricName } from '../../domain/metric-names.js';
import type { Notification } from '../../domain/ports.js';
import { nextMissedStreak } from '../../domain/sweep-window.js';
import { probeDeadLetters } from '../redrive-dead-letters/redrive-dead-letters.js';
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

/**
 * The lease is short and renewed while the run works (a heartbeat), so a run killed mid-way blocks the next for
 * at most this long, however long its deadline (#11 §3).
 */
export const sweepLeaseMs = 60_000;
const renewEveryMs = sweepLeaseMs / 3;

/**
 * The reconciliation sweep of one shop: catches what Shopify's webhooks missed and checks that were lost.
 *
 * 1. Claim the sweep lease for the shop (a conditional write): two sweeps never work the same window. The lease is
 *    renewed every 20 s while the run works and given back when it ends; `shouldStop` (the process is stopping)
 *    ends it early, with its progress saved.
 * 2. The shop's HotWax (`watchImportFlows`): job parameters a crashed re-import left swapped are restored first,
 *    then HotWax's import flows are watched (ImportFlowUnhealthy; one message when one turns unhealthy, one when it
 *    runs clean again). Then the subscription watchdog (`watchSubscriptions`): a deleted or misdirected
 *    orders/create or orders/fulfilled subscription is counted, told, and with RESTORE_WEBHOOK_SUBSCRIPTIONS
 *    re-created.
 * 3. Lost checks (`recoverOverdue`): checks past due by more than the grace are queued again; and one message of
 *    each non-empty DLQ goes back as a probe (`probeDeadLetters`): if HotWax or Slack answers it, its batch moves
 *    the rest back. Steps 2 and 3 come first because they are small and must not starve behind a backlog of orders.
 * 4. Orders Shopify updated in the windows since the checkpoint (`sweepWindows`): an order with no record is
 *    recorded as found by the sweep and its check queued, exactly as its webhook would have (SweepWebhooksMissed);
 *    an order fulfilled in Shopify that we still expect only created gets the fulfilled expectation.
 * 5. When this sweep and the previous one both found missed webhooks, one Slack alarm for the streak; emit
 *    SweepOrdersSeen / SweepWebhooksMissed / SweepOverdueChecksRecovered and give the lease back.
 */
export const sweepOrders = async (
  deps: SweepOrdersDeps,
  options: {
    now: number;
    deadline: number;
    sinceMs?: number | undefined;
    /** asked before every page: true stops the run early (shutdown); its progress and lease are saved */
    shouldStop?: () => boolean;
    /** @default sweepLeaseMs */
    leaseMs?: number;
  },
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
    leaseUntil: options.now + (options.leaseMs ?? sweepLeaseMs),
  });
  if (!claim.claimed) {
    summary.skipped = `another sweep of ${shop} holds the lease until ${iso(claim.heldUntil)}`;
    telemetry.warn('Sweep skipped: another sweep is running', { shop, heldUntil: claim.heldUntil });
    return summary;
  }
  const { checkpoint } = claim;
  let leaseLost = false;
  const leaseMs = options.leaseMs ?? sweepLeaseMs;
  const heartbeat = setInterval(() => {
    deps.checkpoints
      .renew({ shop, owner, leaseUntil: clock.now() + leaseMs })
      .then((held) => {
        if (!held) leaseLost = true;
      })
      // A failed renewal is retried at the next beat; the lease outlasts two of them.
      .catch((error: unknown) => telemetry.warn('Sweep lease not renewed', { shop, error: String(error) }));
  }, renewEveryMs);
  heartbeat.unref?.();
  const run: SweepRun = {
    deps,
    owner,
    now: options.now,
    deadline: options.deadline,
    stopping: () => leaseLost || (options.shouldStop?.() ?? false),
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
    if (deps.deadLetters) summary.deadLettersProbed = await probeDeadLetters(deps, deps.deadLetters);
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
    clearInterval(heartbeat);
    // Named by shop, so each shop's sweep misses alarm on their own (infra/constructs/sync-alarms.ts).
    telemetry.count(MetricName.SweepOrdersSeen, summary.ordersSeen, { shop });
    telemetry.count(MetricName.SweepWebhooksMissed, summary.webhooksMissed, { shop });
    telemetry.count(MetricName.SweepOverdueChecksRecovered, summary.overdueRecovered, { shop });
    const released = await deps.checkpoints
      .release({
        shop,
        owner,
        update: { ...streakUpdate, missingTopics, importFlows, lastRunAt: options.now },
      })
      .catch((error: unknown) => {
        // The lease then expires within sweepLeaseMs; the error that matters is the one already thrown, if any.
        telemetry.error('Sweep lease could not be released', { shop, error: String(error) });
        return true;
      });
    if (!released) telemetry.warn('Sweep lease had passed to another run before this one ended', { shop });
  }
};
