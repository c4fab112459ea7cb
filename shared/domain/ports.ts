import type { CheckMessage, HotwaxStatus, OrderFacts } from './order-sync.js';

/** One HotWax OrderHeader as `performFind` returns it. */
export interface HotwaxOrder {
  orderId: string;
  externalId: string;
  orderName?: string;
  statusId: HotwaxStatus;
  salesChannelEnumId?: string;
  orderDate?: number;
  entryDate?: number;
}

/** A failed record of the Shopify Order MDM import that names this order. */
export interface MdmFailure {
  shopifyOrderId: string;
  logId: string;
  /** epoch ms of the MDM log */
  createdDate: number;
  errorText: string;
  dataResourceId?: string;
}

export interface JobRun {
  jobName: string;
  serviceName: string;
  parentJobId: string;
  requestedAt: number;
}

export interface HotwaxJobStatus {
  /** a SERVICE_PENDING (recurring) definition exists */
  scheduled: boolean;
  /** statuses of the most recent runs, newest first */
  recentRunStatuses: string[];
}

export interface HotwaxPort {
  /** Every HotWax order (all versions) per Shopify order id, in one call. Ids absent from the map are not in HotWax. */
  findOrdersByShopifyIds(shopifyOrderIds: readonly string[]): Promise<Map<string, HotwaxOrder[]>>;
  /** "Run now" of the New Orders job (JOB_IMP_ORD). */
  runNewOrdersJob(): Promise<JobRun>;
  /** Per-order import when HOTWAX_IMPORT_ORDER_SERVICE is configured, else undefined. */
  importOrder?: (shopifyOrderId: string) => Promise<void>;
  /** Refresh when HOTWAX_REFRESH_ORDER_SERVICE is configured, else undefined. */
  refreshOrder?: (hotwaxOrderId: string) => Promise<void>;
  /** Failed records of the Shopify Order MDM since `since` (epoch ms) that name one of the ids. */
  findImportFailures(params: {
    since: number;
    shopifyOrderIds: readonly string[];
  }): Promise<Map<string, MdmFailure>>;
  /** Run the approval job (JOB_APR_ORD) for one order. */
  runApprovalJob(hotwaxOrderId: string): Promise<void>;
  /** Whether the approval job is scheduled and how its recent runs went. */
  approvalJobStatus(): Promise<HotwaxJobStatus>;
  /** A link to the order in HotWax's UI, for people. */
  orderUrl(hotwaxOrderId: string): string;
}

/** The order as Shopify holds it now, re-read before any repair. */
export interface ShopifyOrderSnapshot extends Omit<OrderFacts, 'shop'> {
  displayFulfillmentStatus: string;
  displayFinancialStatus: string;
}

export interface ShopifyPort {
  /** null when Shopify has no such order. */
  getOrder(orderId: string): Promise<ShopifyOrderSnapshot | null>;
  /** A link to the order in Shopify admin, for people. */
  orderUrl(orderId: string): string;
}

export interface CheckQueuePort {
  /** Sends checks; delays beyond the queue's limit are capped, the checker re-queues until dueAt. */
  schedule(messages: readonly CheckMessage[], now: number): Promise<void>;
}

export interface Clock {
  now(): number;
}

/** Something a person must hear about; the notifier turns it into Slack messages. */
export interface Notification {
  kind: 'needs_human' | 'resolved' | 'escalated' | 'alarm' | 'quarantined';
  shop: string;
  /** absent for alarms and quarantined payloads */
  order?: {
    orderId: string;
    orderName: string;
    channel: 'pos' | 'web' | 'other';
    state: string;
    /** epoch ms since which the order has been out of sync */
    outOfSyncSince: number;
    shopifyUrl: string;
    hotwaxUrl?: string;
  };
  title: string;
  /** plain-language cause */
  cause?: string;
  /** the exact fix: the runbook's steps for this case */
  fix?: string;
  rawError?: string;
  /** support bundle for escalations: timeline, findings, ids */
  bundle?: Record<string, unknown>;
  at: number;
}

export interface NotifierPort {
  notify(notifications: readonly Notification[]): Promise<void>;
}
