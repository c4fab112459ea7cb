import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MetricName } from '../../shared/domain/metric-names.js';
import { shopMetric, syncMetric } from './sync-metrics.js';

export interface AlarmThresholds {
  /** Errors of any one function in 5 minutes. */
  readonly functionErrors: number;
  /** Throttles of any one function in 5 minutes. */
  readonly functionThrottles: number;
  /** 5xx answers on POST /webhooks/shopify in 5 minutes. */
  readonly webhook5xx: number;
  /** Webhooks rejected (bad HMAC, wrong shop) in 5 minutes. */
  readonly webhooksRejected: number;
  /** Silence after which "no webhooks" alarms; whole hours, at most a day. */
  readonly noWebhooksPeriod: Duration;
  /** Orders escalated in 5 minutes. */
  readonly escalations: number;
  /** Share of orders in sync within 30 minutes, over an hour (InSyncWithinSlo average). */
  readonly syncSloTarget: number;
  /** p99 sync lag over an hour, seconds. */
  readonly syncLagP99Seconds: number;
  /** Payloads quarantined in 5 minutes. */
  readonly quarantined: number;
  /** Orders the sweep found without a webhook, in each of two consecutive sweeps. */
  readonly sweepWebhooksMissed: number;
  /** Webhook subscriptions missing at the last sweep. */
  readonly subscriptionsMissing: number;
  /** HotWax import flows (realtime consumer, fallback sync, New Orders job) unhealthy at the last sweep. */
  readonly importFlowUnhealthy: number;
}

export const defaultAlarmThresholds: AlarmThresholds = {
  functionErrors: 1,
  functionThrottles: 1,
  webhook5xx: 1,
  webhooksRejected: 10,
  noWebhooksPeriod: Duration.hours(2),
  escalations: 1,
  syncSloTarget: 0.99,
  syncLagP99Seconds: 1800,
  quarantined: 1,
  sweepWebhooksMissed: 1,
  subscriptionsMissing: 1,
  importFlowUnhealthy: 1,
};

/** Per-function consequence of failing, so the alarm tells the on-call what is at stake. */
const functionImpact: Record<string, string> = {
  webhook:
    'Shopify deliveries are failing; Shopify retries for 48 h and deletes the subscription after repeated failures.',
  api: 'GET /orders/{id} and /health are failing; the monitor itself keeps running.',
  checker:
    'Whole check batches are failing; their checks are retried and land in the check DLQ after 5 receives, so ' +
    'orders stop being verified and repaired.',
  notifier: 'Slack messages and alarm forwarding are failing; notifications land in the notify DLQ.',
  sweeper:
    'The reconciliation sweep is not completing, so lost webhooks and overdue checks are not recovered.',
  slack:
    "Slack's buttons and /ordersync are failing: people see an error in Slack; the monitor itself keeps running.",
  slackReplies:
    'The outcome of what people asked from Slack is not shown; replies land in the Slack reply DLQ.',
};

export interface SyncAlarmsProps {
  readonly alarmTopic: ITopic;
  /** Keyed by short name (webhook, api, checker, notifier, sweeper). */
  readonly functions: Record<string, IFunction>;
  readonly checkDlq: IQueue;
  readonly notifyDlq: IQueue;
  /** 5xx count of the webhook route. */
  readonly webhook5xx: IMetric;
  /** Period of the sweeper's metrics (one data point per sweep). */
  readonly sweepInterval: Duration;
  readonly thresholds?: Partial<AlarmThresholds>;
  /**
   * Several shops (SHOPS_FILE): the alarms that make sense per shop (no webhooks received, sweep misses,
   * subscriptions missing, sync SLO) exist once per shop, named after it; the others stay global. Empty: one shop,
   * every alarm global as before.
   */
  readonly shops?: readonly string[];
}

export interface AlarmSpec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  readonly description: string;
  readonly evaluationPeriods?: number;
  readonly treatMissingData?: TreatMissingData;
}

/**
 * Every alarm of the monitor. Each one notifies the alarm topic on ALARM and on OK (the notifier forwards both to
 * Slack, so a resolved incident is visible too), and its description says what it means and what to do.
 */
export class SyncAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  readonly thresholds: AlarmThresholds;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: SyncAlarmsProps) {
    super(scope, id);
    const t = { ...defaultAlarmThresholds, ...props.thresholds };
    this.thresholds = t;
    this.action = new SnsAction(props.alarmTopic);
    const atLeast = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const redrive =
      'After fixing the cause, redrive it: SQS console > the DLQ > "Start DLQ redrive", or ' +
      '`aws sqs start-message-move-task --source-arn <dlq arn>`.';

    this.add('CheckDlqNotEmpty', {
      metric: props.checkDlq.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparison: atLeast,
      description:
        'Checks failed 5 times and were parked in the check DLQ: those orders are no longer being verified or ' +
        "repaired. Read the checker's logs for the error (HotWax or Shopify unreachable, expired credentials, a bug). " +
        redrive,
    });
    this.add('NotifyDlqNotEmpty', {
      metric: props.notifyDlq.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparison: atLeast,
      description:
        'Slack notifications failed 5 times and were parked in the notify DLQ: people were not told about orders ' +
        "that need them. Read the notifier's logs (Slack token revoked, bot not in the channel, Slack outage) and " +
        `fix SLACK_* in the credentials secret. ${redrive}`,
    });

    for (const [name, fn] of Object.entries(props.functions)) {
      const title = name.charAt(0).toUpperCase() + name.slice(1);
      this.add(`${title}FunctionErrors`, {
        metric: fn.metricErrors({ statistic: Stats.SUM, period: Duration.minutes(5) }),
        threshold: t.functionErrors,
        comparison: atLeast,
        description:
          `The ${name} function failed (unhandled error or timeout). ${functionImpact[name] ?? ''} Read its log ` +
          'group: a ConfigError at cold start lists every missing or invalid setting; otherwise follow the stack trace.',
      });
      this.add(`${title}FunctionThrottles`, {
        metric: fn.metricThrottles({ statistic: Stats.SUM, period: Duration.minutes(5) }),
        threshold: t.functionThrottles,
        comparison: atLeast,
        description:
          `Lambda throttled the ${name} function: the account's concurrency is exhausted (or its reserved ` +
          `concurrency is too low). ${functionImpact[name] ?? ''} Find what consumes the concurrency or request a ` +
          'higher Lambda concurrency quota.',
      });
    }

    this.add('Webhook5xx', {
      metric: props.webhook5xx,
      threshold: t.webhook5xx,
      comparison: atLeast,
      description:
        'POST /webhooks/shopify answered 5xx: webhooks were not recorded (by design a failed write answers 5xx so ' +
        'Shopify retries). Shopify retries for 48 h, then deletes the subscription. Read the webhook function logs ' +
        '(DynamoDB, SQS or Secrets Manager errors, ConfigError) and the API access log.',
    });
    this.add('WebhookSignaturesRejected', {
      metric: syncMetric(MetricName.WebhooksRejected),
      threshold: t.webhooksRejected,
      comparison: atLeast,
      description:
        'A burst of webhooks failed HMAC verification: the Shopify app client secret was rotated or the webhook ' +
        'secret is misconfigured (or someone is probing the endpoint). Compare SHOPIFY_WEBHOOK_SECRET in the ' +
        "webhook secret with the app's client secret and put the current one. Rejected deliveries are retried by " +
        'Shopify, so fixing the secret recovers them.',
    });
    const shops = props.shops ?? [];
    /** The metric of the whole deployment, or of one shop. */
    const metricOf = (
      shop: string | undefined,
      name: MetricName,
      options: Parameters<typeof syncMetric>[1] = {},
    ) => (shop ? shopMetric(name, shop, options) : syncMetric(name, options));
    /** One alarm, or one per shop when the deployment serves several: its id and description name the shop. */
    const perShop = (id: string, spec: (shop: string | undefined) => AlarmSpec) => {
      if (shops.length === 0) return void this.add(id, spec(undefined));
      for (const shop of shops) {
        const built = spec(shop);
        this.add(`${id}-${shop.replace(/\.myshopify\.com$/, '')}`, {
          ...built,
          description: `${shop}: ${built.description}`,
        });
      }
    };

    perShop('NoWebhooksReceived', (shop) => ({
      metric: metricOf(shop, MetricName.WebhooksReceived, { period: t.noWebhooksPeriod }),
      threshold: 1,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data at all is exactly the failure this alarm exists for.
      treatMissingData: TreatMissingData.BREACHING,
      description:
        `No webhook arrived for ${t.noWebhooksPeriod.toHours()} h. Most likely Shopify deleted the subscription ` +
        'after failed deliveries, or the endpoint is unreachable; it can also be a quiet shop. Check the ' +
        "SubscriptionsMissing alarm and the app's webhook subscriptions in Shopify, and the Webhook5xx alarm. The " +
        'reconciliation sweep keeps catching orders meanwhile. Raise alarmNoWebhooksMinutes for low-volume shops.',
    }));
    this.add('OrderEscalated', {
      metric: syncMetric(MetricName.Escalations),
      threshold: t.escalations,
      comparison: atLeast,
      description:
        'An order was escalated: it exhausted its automatic repairs, or HotWax rejected or expired an order Shopify ' +
        'shows fulfilled. Its support bundle (timeline, error text, job and log ids) is in Slack. A human must take ' +
        'it: fix the data in Shopify or send the bundle to HotWax support.',
    });
    perShop('SyncSloBreached', (shop) => ({
      metric: metricOf(shop, MetricName.InSyncWithinSlo, {
        statistic: Stats.AVERAGE,
        period: Duration.hours(1),
      }),
      threshold: t.syncSloTarget,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      description:
        `Fewer than ${t.syncSloTarget * 100}% of the last hour's orders reached HotWax in the expected state within ` +
        '30 minutes. HotWax imports are slow or failing: check the New Orders / Shopify Order MDM jobs in HotWax, ' +
        'the OrdersMissing and OrdersBlocked series on the dashboard, and Slack for blocked orders.',
    }));
    this.add('SyncLagP99High', {
      metric: syncMetric(MetricName.SyncLagSeconds, { statistic: Stats.p(99), period: Duration.hours(1) }),
      threshold: t.syncLagP99Seconds,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        `The slowest 1% of orders took more than ${t.syncLagP99Seconds / 60} minutes to reach HotWax in the ` +
        'expected state over the last hour. Look for a stalled HotWax import job or a backlog in the check queue.',
    });
    this.add('WebhookPayloadQuarantined', {
      metric: syncMetric(MetricName.WebhooksQuarantined),
      threshold: t.quarantined,
      comparison: atLeast,
      description:
        'An authentic webhook could not be parsed; its raw payload was kept in the quarantine bucket and the order ' +
        'was NOT recorded. Inspect the object (a Shopify API version change?), fix the parser, then replay it. The ' +
        'sweep may also pick the order up from Shopify.',
    });
    perShop('SweepFoundMissedWebhooks', (shop) => ({
      metric: metricOf(shop, MetricName.SweepWebhooksMissed, { period: props.sweepInterval }),
      threshold: t.sweepWebhooksMissed,
      comparison: atLeast,
      // One sweep can race a webhook that is still being delivered; two in a row means webhooks are being lost.
      evaluationPeriods: 2,
      description:
        'Two sweeps in a row found orders in Shopify whose webhooks never arrived: webhooks are being lost ' +
        '(subscription deleted or filtered, endpoint failing, Shopify delivery delays). The sweep already queued ' +
        'checks for those orders; find out why deliveries are missing.',
    }));
    perShop('WebhookSubscriptionsMissing', (shop) => ({
      metric: metricOf(shop, MetricName.SubscriptionsMissing, {
        statistic: Stats.MAXIMUM,
        period: props.sweepInterval,
      }),
      threshold: t.subscriptionsMissing,
      comparison: atLeast,
      description:
        'The orders/create or orders/fulfilled webhook subscription pointing at this API is missing in Shopify ' +
        '(Shopify deletes subscriptions after repeated failed deliveries). Re-create it in the app, or deploy with ' +
        'RESTORE_WEBHOOK_SUBSCRIPTIONS=true so the sweep restores it. The sweep covers missed orders meanwhile.',
    }));
    this.add('HotwaxImportFlowUnhealthy', {
      metric: syncMetric(MetricName.ImportFlowUnhealthy, {
        statistic: Stats.MAXIMUM,
        period: props.sweepInterval,
      }),
      threshold: t.importFlowUnhealthy,
      comparison: atLeast,
      description:
        "One of HotWax's order import flows is paused, missing or its recent runs failed (the sweep checks them: " +
        "Maarg's realtime consumer consume_ShopifyOrders_SQS and the shop's fallback order sync, OFBiz's New " +
        'Orders job JOB_IMP_ORD). New orders reach HotWax late or not at all. Slack has the flow and its fix (the ' +
        "ImportFlowUnhealthy metric's flow dimension names it): resume or schedule the job in HotWax Job Manager, " +
        'or read its run history for the error. The monitor keeps re-importing missing orders one by one meanwhile.',
    });
    this.add('NotificationsNotDelivered', {
      metric: syncMetric(MetricName.NotificationsFailed),
      threshold: 1,
      comparison: atLeast,
      description:
        'A message for people could not be queued or sent to Slack (Slack down or refusing the token, or SQS ' +
        'unavailable). Slack failures are retried from the notify queue; a message the checker could not queue is ' +
        'not. Run `npm run cli -- status` (or read the dashboard) for orders that need a person, and check the ' +
        "notifier's logs and the Slack credentials.",
    });
  }

  /** One more alarm with the same actions (the stack adds those of resources this construct is not given). */
  add(id: string, spec: AlarmSpec): Alarm {
    const evaluationPeriods = spec.evaluationPeriods ?? 1;
    const alarm = new Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}
