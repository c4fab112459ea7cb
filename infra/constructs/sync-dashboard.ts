import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  MathExpression,
  type Metric,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MetricName } from '../../shared/domain/metric-names.js';
import { shopMetric, syncMetric } from './sync-metrics.js';

export interface SyncDashboardProps {
  readonly dashboardName: string;
  readonly functions: Record<string, IFunction>;
  readonly queues: {
    readonly check: IQueue;
    readonly checkDlq: IQueue;
    readonly notify: IQueue;
    readonly notifyDlq: IQueue;
  };
  readonly webhook5xx: Metric;
  readonly alarms: IAlarm[];
  /** Several shops (SHOPS_FILE): a row of widgets with one line per shop; empty = one shop, no such row. */
  readonly shops?: readonly string[];
}

/** One screen that answers "are orders reaching HotWax, and if not, why": outcomes, repairs, lag, queues, intake. */
export class SyncDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: SyncDashboardProps) {
    super(scope, id);
    const triggered = syncMetric(MetricName.RepairsTriggered, { label: 'Repairs triggered' });
    const verified = syncMetric(MetricName.RepairsVerified, { label: 'Repairs verified' });
    const dlqDepth = (queue: IQueue, label: string) =>
      queue.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(5),
        label,
      });
    const lag = (p: number) =>
      syncMetric(MetricName.SyncLagSeconds, {
        statistic: Stats.p(p),
        label: `p${p}`,
        period: Duration.minutes(15),
      });

    const shops = props.shops ?? [];
    const label = (shop: string) => shop.replace(/\.myshopify\.com$/, '');
    /** One line per shop of the deployment, from the [service, shop] series the telemetry emits. */
    const perShop = (name: MetricName, options: Parameters<typeof shopMetric>[2] = {}) =>
      shops.map((shop) => shopMetric(name, shop, { label: label(shop), ...options }));
    const shopRows =
      shops.length === 0
        ? []
        : [
            [
              new TextWidget({
                markdown: `## By shop\n${shops.join(' · ')} — each line is one shop; its alarms carry its name.`,
                width: 24,
                height: 1,
              }),
            ],
            [
              new GraphWidget({
                title: 'Webhooks received, by shop',
                width: 6,
                left: perShop(MetricName.WebhooksReceived),
              }),
              new GraphWidget({
                title: 'In sync within 30 min (ratio), by shop',
                width: 6,
                left: perShop(MetricName.InSyncWithinSlo, {
                  statistic: Stats.AVERAGE,
                  period: Duration.hours(1),
                }),
                leftYAxis: { min: 0, max: 1, showUnits: false },
              }),
              new GraphWidget({
                title: 'Orders missing in HotWax, by shop',
                width: 6,
                left: perShop(MetricName.OrdersMissing),
              }),
              new GraphWidget({
                title: 'Orders blocked on data, by shop',
                width: 6,
                left: perShop(MetricName.OrdersBlocked),
              }),
            ],
            [
              new GraphWidget({
                title: 'Sweep: webhooks missed, by shop',
                width: 8,
                left: perShop(MetricName.SweepWebhooksMissed),
              }),
              new GraphWidget({
                title: 'Webhook subscriptions missing, by shop',
                width: 8,
                left: perShop(MetricName.SubscriptionsMissing, { statistic: Stats.MAXIMUM }),
              }),
              new GraphWidget({
                title: 'Sync lag p99 (s), by shop',
                width: 8,
                left: perShop(MetricName.SyncLagSeconds, {
                  statistic: Stats.p(99),
                  period: Duration.minutes(15),
                }),
              }),
            ],
          ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new TextWidget({
            markdown:
              '# Order sync monitor\nShopify orders checked against HotWax, repaired when missing or stuck. ' +
              'Alarms carry what to do in their description.',
            width: 24,
            height: 2,
          }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 4 })],
        ...shopRows,
        [
          new GraphWidget({
            title: 'Check outcomes (orders per state)',
            width: 12,
            stacked: true,
            left: [
              syncMetric(MetricName.OrdersInSync, { label: 'In sync' }),
              syncMetric(MetricName.OrdersMissing, { label: 'Missing' }),
              syncMetric(MetricName.OrdersBlocked, { label: 'Blocked on data' }),
              syncMetric(MetricName.OrdersStuck, { label: 'Stuck in Created' }),
              syncMetric(MetricName.OrdersAwaitingApproval, { label: 'Awaiting approval' }),
              syncMetric(MetricName.OrdersAmbiguous, { label: 'Several live orders in HotWax' }),
              syncMetric(MetricName.Escalations, { label: 'Escalated' }),
            ],
            right: [syncMetric(MetricName.ChecksRun, { label: 'Checks run' })],
          }),
          new GraphWidget({
            title: 'Repairs triggered vs verified',
            width: 12,
            left: [triggered, verified],
            right: [
              new MathExpression({
                expression: '100 * verified / triggered',
                usingMetrics: { verified, triggered },
                label: 'Repair success rate (%)',
                period: Duration.minutes(5),
              }),
            ],
            rightYAxis: { min: 0, max: 100, label: '%', showUnits: false },
          }),
        ],
        [
          new GraphWidget({
            title: 'Sync lag (Shopify created → HotWax in expected state), seconds',
            width: 12,
            left: [lag(50), lag(90), lag(99)],
            right: [
              syncMetric(MetricName.InSyncWithinSlo, {
                statistic: Stats.AVERAGE,
                period: Duration.hours(1),
                label: 'In sync within 30 min (ratio)',
              }),
            ],
            rightYAxis: { min: 0, max: 1, showUnits: false },
          }),
          new GraphWidget({
            title: 'Queues and dead-letter queues (messages visible)',
            width: 12,
            left: [
              dlqDepth(props.queues.checkDlq, 'Check DLQ'),
              dlqDepth(props.queues.notifyDlq, 'Notify DLQ'),
            ],
            right: [
              dlqDepth(props.queues.check, 'Check queue'),
              dlqDepth(props.queues.notify, 'Notify queue'),
            ],
          }),
        ],
        [
          new GraphWidget({
            title: 'Webhooks',
            width: 12,
            left: [
              syncMetric(MetricName.WebhooksReceived, { label: 'Received' }),
              syncMetric(MetricName.WebhooksDuplicate, { label: 'Duplicate' }),
            ],
            right: [
              syncMetric(MetricName.WebhooksRejected, { label: 'Rejected (signature)' }),
              syncMetric(MetricName.WebhooksQuarantined, { label: 'Quarantined' }),
              props.webhook5xx.with({ label: 'Webhook 5xx' }),
            ],
          }),
          new GraphWidget({
            title: 'Function errors',
            width: 12,
            left: Object.entries(props.functions).map(([name, fn]) =>
              fn.metricErrors({ statistic: Stats.SUM, period: Duration.minutes(5), label: name }),
            ),
          }),
        ],
        [
          new GraphWidget({
            title: 'Reconciliation sweep',
            width: 12,
            left: [
              syncMetric(MetricName.SweepOrdersSeen, { label: 'Orders seen' }),
              syncMetric(MetricName.SweepWebhooksMissed, { label: 'Webhooks missed' }),
              syncMetric(MetricName.SweepOverdueChecksRecovered, { label: 'Overdue checks recovered' }),
            ],
            right: [
              syncMetric(MetricName.SubscriptionsMissing, {
                statistic: Stats.MAXIMUM,
                label: 'Subscriptions missing',
              }),
              syncMetric(MetricName.ImportFlowUnhealthy, {
                statistic: Stats.MAXIMUM,
                label: 'HotWax import flow unhealthy',
              }),
            ],
          }),
          new GraphWidget({
            title: 'Notifications',
            width: 12,
            left: [
              syncMetric(MetricName.NotificationsSent, { label: 'Sent' }),
              syncMetric(MetricName.NotificationsFailed, { label: 'Failed' }),
            ],
          }),
        ],
      ],
    });
  }
}
