/**
 * CloudWatch metric names (EMF through Powertools), shared by the code that emits them and the alarms and dashboard
 * that read them. Every metric is emitted with the dimension set [service]; order metrics also with
 * [service, shop, channel].
 */
export const metricNamespace = 'OrderSyncMonitor';
export const serviceName = 'order-sync-monitor';

export const MetricName = {
  WebhooksReceived: 'WebhooksReceived',
  WebhooksRejected: 'WebhooksRejected',
  WebhooksQuarantined: 'WebhooksQuarantined',
  WebhooksDuplicate: 'WebhooksDuplicate',
  ChecksRun: 'ChecksRun',
  OrdersInSync: 'OrdersInSync',
  OrdersMissing: 'OrdersMissing',
  OrdersBlocked: 'OrdersBlocked',
  OrdersStuck: 'OrdersStuck',
  OrdersAwaitingApproval: 'OrdersAwaitingApproval',
  RepairsTriggered: 'RepairsTriggered',
  RepairsVerified: 'RepairsVerified',
  Escalations: 'Escalations',
  /** seconds from the order's creation in Shopify to HotWax holding it in the expected state */
  SyncLagSeconds: 'SyncLagSeconds',
  /** 1 when an order reached in_sync within the SLO (30 min), 0 otherwise: Average is the SLO ratio */
  InSyncWithinSlo: 'InSyncWithinSlo',
  NotificationsSent: 'NotificationsSent',
  NotificationsFailed: 'NotificationsFailed',
  SweepOrdersSeen: 'SweepOrdersSeen',
  SweepWebhooksMissed: 'SweepWebhooksMissed',
  SweepOverdueChecksRecovered: 'SweepOverdueChecksRecovered',
  SubscriptionsMissing: 'SubscriptionsMissing',
  /** messages moved back from a DLQ once its dependency (HotWax, Slack) answered again */
  DeadLettersRedriven: 'DeadLettersRedriven',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];
