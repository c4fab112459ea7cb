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
  /** orders HotWax holds as several live orders (an exchange, a duplicate import): a person decides */
  OrdersAmbiguous: 'OrdersAmbiguous',
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
  /**
   * per HotWax import flow the sweep watches (dimension `flow`: realtime, fallback, new_orders_job): 1 when it is
   * paused, missing or its recent runs failed, 0 when it runs clean
   */
  ImportFlowUnhealthy: 'ImportFlowUnhealthy',
  /** fromDate swaps a crashed Maarg re-import left behind, restored by the sweep */
  InterruptedRepairsRecovered: 'InterruptedRepairsRecovered',
  /** messages moved back from a DLQ once its dependency (HotWax, Slack) answered again */
  DeadLettersRedriven: 'DeadLettersRedriven',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];
