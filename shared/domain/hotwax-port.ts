import type { HotwaxOrder } from './ports.js';

/**
 * The HotWax port both backends implement (PLAN.md › HotwaxPort). The decision table reads `capabilities`, never
 * the backend's name. The coordinator folds this file into `ports.ts`.
 */

export type { HotwaxOrder };

/**
 * Every order status HotWax uses (hotwax-api.md › Orders by Shopify order id). `ORDER_REJECTED` and
 * `ORDER_EXPIRED` are terminal like `ORDER_CANCELLED`; the domain's `HotwaxStatus` stays open for others.
 */
export const hotwaxOrderStatuses = [
  'ORDER_CREATED',
  'ORDER_APPROVED',
  'ORDER_HOLD',
  'ORDER_COMPLETED',
  'ORDER_CANCELLED',
  'ORDER_REJECTED',
  'ORDER_EXPIRED',
] as const;

export interface HotwaxCapabilities {
  /** the tenant's shape, for people and logs only — the runbook never branches on it */
  readonly backend: 'ofbiz' | 'maarg';
  /** "Refresh order" exists: a new version replaces a POS order stuck in Created, the old one is cancelled
   *  (OFBiz with HOTWAX_REFRESH_ORDER_SERVICE configured) */
  readonly canRefresh: boolean;
  /** a re-import updates an existing order in place, so re-importing repairs an order stuck in Created (Maarg) */
  readonly reimportRepairsStuck: boolean;
  /** 'window': one run imports every order of a time window (OFBiz New Orders job; Maarg fallback sync from a
   *  date), so one run serves a whole batch; 'order': a per-order import service */
  readonly reimportScope: 'window' | 'order';
  /** approval is a job (OFBiz JOB_APR_ORD) or the product store's `autoApproveOrder` setting (Maarg) */
  readonly approval: 'job' | 'store_setting';
}

export interface ReimportRequest {
  /** every order of the batch that must be re-imported, with Shopify's updatedAt (epoch ms) */
  readonly orders: ReadonlyArray<{ shopifyOrderId: string; updatedAt: number }>;
}

export interface ReimportRun {
  kind: 'new_orders_job' | 'order_import' | 'fallback_sync';
  /** what was triggered, in words, e.g. "New Orders job (JOB_IMP_ORD) run now" */
  detail: string;
  requestedAt: number;
  /** HotWax's id of the run when it gives one (Maarg jobRunId) */
  runId?: string;
}

export interface ApprovalStatus {
  mechanism: 'job' | 'store_setting';
  /** job: a recurring JOB_APR_ORD is scheduled; store_setting: autoApproveOrder is on; undefined = unknown */
  enabled: boolean | undefined;
  /** job only: statuses of the most recent runs, newest first */
  recentRunStatuses: string[];
}

export interface ImportFlowHealth {
  flow: 'realtime' | 'fallback' | 'new_orders_job';
  jobName: string;
  status: 'ok' | 'paused' | 'missing' | 'failing';
  /** plain words: what is wrong and how to fix it */
  detail: string;
  lastRunAt?: number;
}

/** A failed import record that names this order (today's `MdmFailure`, renamed). */
export interface ImportFailure {
  shopifyOrderId: string;
  /** the import log (OFBiz MDM log, Maarg DataManagerLog) */
  logId: string;
  /** epoch ms of the log */
  createdDate: number;
  /** HotWax's error for the record, with values quoted from the record (name, e-mail, address…) removed */
  errorText: string;
  /** Maarg: SYNC_SHOPIFY_ORDER or UPDATE_SHOPIFY_ORDER; OFBiz: the MDM config */
  configId?: string;
  /** OFBiz: the data resource of the failed-record file */
  dataResourceId?: string;
  /** Maarg: the log's errorLogContentId */
  contentId?: string;
}

export interface HotwaxPort {
  readonly capabilities: HotwaxCapabilities;
  /** Every HotWax order (all versions) per Shopify order id; ids absent from the map are not in HotWax. */
  findOrdersByShopifyIds(shopifyOrderIds: readonly string[]): Promise<Map<string, HotwaxOrder[]>>;
  /** One repair run for every order of the request (one New Orders run / one fallback sync / one call per
   *  order with a per-order service). */
  reimport(request: ReimportRequest): Promise<ReimportRun>;
  /** present only when `capabilities.canRefresh` */
  refreshOrder?(hotwaxOrderId: string): Promise<void>;
  /** Failed import records since `since` (epoch ms) naming one of the ids ("match the Shopify order ID in the
   *  failed-record JSON"). The error text is already reduced so it quotes no customer data (see #11 §6). */
  findImportFailures(params: {
    since: number;
    shopifyOrderIds: readonly string[];
  }): Promise<Map<string, ImportFailure>>;
  approvalStatus(): Promise<ApprovalStatus>;
  /** Health of the import flows HotWax says to watch (Maarg: realtime consumer + the shop's fallback job;
   *  OFBiz: the New Orders job). */
  importFlowHealth(): Promise<ImportFlowHealth[]>;
  /** Restores job parameters a crashed repair left swapped (Maarg fromDate swap); resolves to how many. */
  recoverInterruptedRepairs(): Promise<number>;
  /** A link to the order in HotWax's UI, for people. */
  orderUrl(hotwaxOrderId: string): string;
}

/** One parameter of a Maarg ServiceJob, as `admin/serviceJobs/{jobName}` holds it. */
export interface JobParameter {
  parameterName: string;
  parameterValue: string | null;
}

/**
 * What a fromDate swap must remember to be undone after a crash. The entry is also the shop's lock: one swap per
 * shop at a time. `originalParameters` is absent while the swap has only been claimed (nothing changed yet).
 */
export interface RepairJournalEntry {
  shop: string;
  /** who holds the lock (one id per swap) */
  owner: string;
  /** epoch ms the lock was taken */
  claimedAt: number;
  jobName?: string;
  originalParameters?: JobParameter[];
}

/**
 * A durable journal of job-parameter swaps (Maarg re-import), keyed by shop. Every write is conditional so two
 * processes never swap the same shop's job at once, and nobody clears an entry they do not own.
 */
export interface HotwaxRepairJournal {
  /** Takes the shop's swap lock; false when an entry (a live swap, or a crashed one) already exists. */
  claim(entry: { shop: string; owner: string; claimedAt: number }): Promise<boolean>;
  /** Records the parameters about to be swapped; false when the lock is no longer `owner`'s. */
  record(
    shop: string,
    owner: string,
    swap: { jobName: string; originalParameters: JobParameter[] },
  ): Promise<boolean>;
  get(shop: string): Promise<RepairJournalEntry | undefined>;
  /** Clears the shop's entry if it is still `owner`'s; a no-op otherwise. */
  release(shop: string, owner: string): Promise<void>;
}
