import type { ImportFlowHealth, Notification } from '../../domain/ports.js';
import type { SweepSettings } from '../../domain/sweep-window.js';
import type { SweepSummary } from './sweep-run.js';

/** People hear once per gap in the webhook subscriptions, and again when the sweep repaired it. */
export const subscriptionNotification = (
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
    explanation:
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

/** Two sweeps in a row found missed webhooks: Shopify is losing deliveries. */
export const missedWebhooksNotification = (
  summary: SweepSummary,
  previous: number,
  at: number,
): Notification => ({
  kind: 'alarm',
  shop: summary.shop,
  title: 'Shopify webhooks are being missed',
  explanation:
    `Two sweeps in a row found orders in Shopify whose webhooks never reached the monitor (${previous} in the ` +
    `previous sweep, ${summary.webhooksMissed} in this one). Shopify is failing to deliver to the webhook endpoint, ` +
    'or the subscription is being deleted.',
  fix:
    'Check the webhook endpoint’s 5xx answers and the SubscriptionsMissing alarm. Nothing is lost meanwhile: the ' +
    'sweep records these orders and schedules their checks.',
  bundle: { missedThisSweep: summary.webhooksMissed, missedPreviousSweep: previous, orders: summary.missed },
  at,
});

const flowNames: Record<ImportFlowHealth['flow'], string> = {
  realtime: 'realtime order import',
  fallback: 'fallback order sync',
  new_orders_job: 'New Orders job',
};
const unhealthyWords: Record<Exclude<ImportFlowHealth['status'], 'ok'>, string> = {
  paused: 'paused',
  missing: 'missing',
  failing: 'failing',
};

/**
 * One message when a HotWax import flow turns unhealthy (or is unhealthy in another way than before), one when it
 * runs clean again: HotWax says to watch its flows on their own, since an outage there makes every new order
 * missing before any single order's check notices.
 */
export const importFlowNotification = (
  shop: string,
  health: ImportFlowHealth,
  settings: Pick<SweepSettings, 'intervalMs'>,
  at: number,
): Notification => {
  const name = `${flowNames[health.flow]} (${health.jobName})`;
  const minutes = Math.round(settings.intervalMs / 60_000);
  if (health.status === 'ok') {
    return {
      kind: 'alarm',
      shop,
      title: `HotWax ${name} runs clean again`,
      explanation: health.detail,
      fix: 'Nothing to do. Orders that went missing meanwhile are re-checked and re-imported one by one by the monitor.',
      bundle: { flow: health.flow, jobName: health.jobName, status: health.status },
      at,
    };
  }
  // The port's detail says what is wrong, then how to fix it: one sentence each way.
  const [what = health.detail, ...how] = health.detail.split(/(?<=\.) (?=[A-Z])/);
  return {
    kind: 'alarm',
    shop,
    title: `HotWax ${name} is ${unhealthyWords[health.status]}`,
    explanation:
      `${what} Until it is fixed, new orders reach HotWax late or not at all; the monitor still checks every ` +
      'order and re-imports the missing ones, one repair at a time.',
    fix: `${how.join(' ') || 'Fix it in HotWax.'} The sweep looks again every ${minutes} min and says here when the flow runs clean again.`,
    bundle: {
      flow: health.flow,
      jobName: health.jobName,
      status: health.status,
      ...(health.lastRunAt !== undefined ? { lastRunAt: new Date(health.lastRunAt).toISOString() } : {}),
    },
    at,
  };
};
