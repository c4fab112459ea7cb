import type { FirstCheckPolicy, ImportLagSketch } from './import-lag.js';
import type { MetricName } from './metric-names.js';
import type { CloudWatchAlarm, DigestOptions } from './notification-text.js';
import type {
  CheckMessage,
  HotwaxStatus,
  OrderFacts,
  OrderKey,
  OrderRecord,
  TimelineEvent,
} from './order-sync.js';
import type { OrderView } from './order-view.js';
import type { PersonActionKind } from './person-actions.js';
import type { RunbookSettings } from './runbook/settings.js';
import type { SyncState } from './states.js';
import type { SweepProgress } from './sweep-window.js';
import type { SubscriptionTopic } from './webhook-topics.js';

/**
 * Every port the domain owns. Use cases depend on these types only; adapters (`shared/adapters/<system>/`)
 * implement them and import the domain, never the other way round.
 */

// --- the order-sync table ----------------------------------------------------------------------------------------

export type SaveResult = 'saved' | 'conflict' | 'duplicate';

export interface SaveOptions {
  /** the version read; undefined = the record must not exist yet */
  expectedVersion: number | undefined;
  /** timeline events written in the same write */
  events: readonly TimelineEvent[];
  /** marks a webhook delivery seen in the same write, so it is recorded exactly once */
  dedupeKey?: string;
  now: number;
}

/** The record cannot be stored at all (DynamoDB's item or key size limits): no retry can ever store it. */
export class UnstorableRecordError extends Error {
  override name = 'UnstorableRecordError';
}

export type JobRunClaim = { claimed: true } | { claimed: false; lastRunAt: number };

/** One record per (shop, Shopify order id), its timeline beside it; every write is version-conditional. */
export interface OrderRepository {
  get(key: OrderKey): Promise<OrderRecord | undefined>;
  /** The records that exist among `keys` (index them with `orderKey`). */
  getMany(keys: readonly OrderKey[]): Promise<OrderRecord[]>;
  /** A `conflict` or `duplicate` may carry the record as it now is (`current`), read by the failed condition itself. */
  save(
    record: OrderRecord,
    options: SaveOptions,
  ): Promise<{ result: SaveResult; record: OrderRecord; current?: OrderRecord }>;
  /** Forgets a delivery whose check could not be queued and marks the check lost (`nextCheckAt` 0). */
  abandonDelivery(record: OrderRecord, dedupeKey: string): Promise<void>;
  /** The order's records (normally one shop) and its timeline, oldest event first. */
  getWithTimeline(
    orderId: string,
  ): Promise<{ records: OrderRecord[]; timeline: Array<TimelineEvent & { shop: string }> }>;
  /** Orders in one state, longest in it first. */
  /** `shop` narrows to one shop's records (several shops in one deployment) */
  listByState(state: SyncState, limit?: number, shop?: string): Promise<OrderRecord[]>;
  countByState(state: SyncState, shop?: string): Promise<number>;
  /** Records of the shop whose check was due before `before` and never ran. */
  listOverdue(shop: string, before: number, limit?: number): Promise<OrderRecord[]>;
  /** Claims a run of a HotWax job for the shop unless one was claimed within `cooldownMs`. */
  claimJobRun(shop: string, job: string, now: number, cooldownMs: number): Promise<JobRunClaim>;
  /** Gives a claim back when the run could not be started. */
  releaseJobRun(shop: string, job: string, claimedAt: number): Promise<void>;
}

// --- queues, clock, telemetry ------------------------------------------------------------------------------------

export interface CheckQueue {
  /** Sends checks; delays beyond the queue's limit are capped, the checker re-queues until dueAt. */
  schedule(messages: readonly CheckMessage[], now: number): Promise<void>;
}

/** A dead-letter queue and the queue its messages came from. */
export interface DeadLetterQueue {
  /** messages waiting in it (approximate) */
  depth(): Promise<number>;
  /**
   * Moves messages back to their queue, to be processed as new: every one, or at most `max`. Resolves to how many
   * were moved, or `started` / `running` when SQS moves them in the background (a message move task).
   */
  moveBack(options?: { max?: number }): Promise<number | 'started' | 'running'>;
}

export interface Clock {
  now(): number;
}

/** What use cases need from logging and metrics. */
export interface Telemetry {
  count(name: MetricName, value?: number, dimensions?: Record<string, string>): void;
  /** a value such as a latency, in seconds */
  value(name: MetricName, value: number, dimensions?: Record<string, string>): void;
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

// --- HotWax ------------------------------------------------------------------------------------------------------

/** One HotWax order header (one version of the Shopify order). */
export interface HotwaxOrder {
  orderId: string;
  externalId: string;
  orderName?: string;
  statusId: HotwaxStatus;
  salesChannelEnumId?: string;
  orderDate?: number;
  entryDate?: number;
}

/** A failed import record that names the order ("match the Shopify order ID in the failed-record JSON"). */
export interface ImportFailure {
  shopifyOrderId: string;
  logId: string;
  /** epoch ms of the import log */
  createdDate: number;
  /** reduced so it quotes no customer data */
  errorText: string;
  configId?: string;
  dataResourceId?: string;
  contentId?: string;
}

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

/** How a re-import run went, as HotWax's run history says (`unknown`: not found, or HotWax names no runs). */
export type ReimportRunOutcome = 'queued' | 'running' | 'succeeded' | 'failed' | 'unknown';

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

export interface HotwaxPort {
  readonly capabilities: HotwaxCapabilities;
  /** Every HotWax order (all versions) per Shopify order id; ids absent from the map are not in HotWax. */
  findOrdersByShopifyIds(shopifyOrderIds: readonly string[]): Promise<Map<string, HotwaxOrder[]>>;
  /** One repair run for every order of the request (one New Orders run / one fallback sync / one call per
   *  order with a per-order service). */
  reimport(request: ReimportRequest): Promise<ReimportRun>;
  /** present only when `capabilities.canRefresh` */
  refreshOrder?(hotwaxOrderId: string): Promise<void>;
  /** How the run `reimport` answered with `runId` went; present when HotWax names its runs (Maarg). A failed run
   *  means the re-import did not happen. */
  reimportRunOutcome?(runId: string): Promise<ReimportRunOutcome>;
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
/**
 * Each shop's import lag (order creation → first seen in HotWax), learned from its in-sync checks: one compact
 * histogram per shop (`import-lag.ts`).
 */
export interface ImportLagStore {
  get(shop: string): Promise<ImportLagSketch | undefined>;
  /** adds the lags of one batch's first in-sync checks (atomic counters: concurrent batches add up) */
  add(shop: string, lagsMs: readonly number[]): Promise<void>;
}

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

// --- Shopify -----------------------------------------------------------------------------------------------------

/** The order as Shopify holds it now, re-read before any repair. */
export interface ShopifyOrderSnapshot extends Omit<OrderFacts, 'shop'> {
  displayFulfillmentStatus: string;
  displayFinancialStatus: string;
}

export interface OrdersPage {
  orders: ShopifyOrderSnapshot[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** the page's Admin API cost; null if Shopify sent none */
  cost: { requested: number; actual: number | null } | null;
}

/** What the sweep's listing reads of an order: enough to tell whether it needs a look (`compareWithRecord`). */
export type ShopifyOrderSummary = Pick<ShopifyOrderSnapshot, 'orderId' | 'updatedAt' | 'fulfillmentStatus'>;

export interface OrderSummariesPage extends Omit<OrdersPage, 'orders'> {
  orders: ShopifyOrderSummary[];
}

export interface WebhookSubscription {
  id: string;
  topic: string;
  callbackUrl: string;
}

/** One shop's Admin API. */
export interface ShopifyPort {
  /** null when Shopify has no such order. */
  getOrder(orderId: string): Promise<ShopifyOrderSnapshot | null>;
  /** A link to the order in Shopify admin, for people. */
  orderUrl(orderId: string): string;
  /** One page of orders with `updated_at` in [from, to) (epoch ms), oldest update first. */
  listOrdersUpdated(params: {
    from: number;
    to: number;
    after?: string | null;
    /** 1-250, Shopify's page limit */
    pageSize: number;
  }): Promise<OrdersPage>;
  /**
   * The same window and order as `listOrdersUpdated`, reading only what tells whether an order needs a look: a
   * third of the query cost per order (no address objects). `getOrders` then reads the few that do.
   */
  listOrderSummariesUpdated(
    params: Parameters<ShopifyPort['listOrdersUpdated']>[0],
  ): Promise<OrderSummariesPage>;
  /** Full snapshots of up to 250 orders in one query; orders Shopify no longer has are left out. */
  getOrders(
    orderIds: readonly string[],
  ): Promise<{ orders: ShopifyOrderSnapshot[]; cost: OrdersPage['cost'] }>;
  /** The app's subscriptions for the given topics (default: the two the monitor needs). */
  listWebhookSubscriptions(topics?: readonly SubscriptionTopic[]): Promise<WebhookSubscription[]>;
  createWebhookSubscription(topic: SubscriptionTopic, callbackUrl: string): Promise<WebhookSubscription>;
}

// --- the shops a deployment serves -------------------------------------------------------------------------------

/** One shop's timings: the runbook's, and the delays of its first checks. */
export interface ShopSettings extends RunbookSettings {
  /** delay before the first check after orders/create */
  checkDelayMs: number;
  /** delay before the check after orders/fulfilled */
  fulfilledCheckDelayMs: number;
  /** one window re-import run serves every order of the shop missing within this (flash sales) */
  reimportCooldownMs: number;
  /** how the first check's wait is learned from the shop's import lag (CHECK_DELAY_SECONDS is its floor) */
  firstCheck: FirstCheckPolicy;
}

export interface ShopContext {
  /** `<name>.myshopify.com` */
  readonly shop: string;
  /** this shop's ids inside the deployment's HotWax tenant */
  readonly hotwax: HotwaxPort;
  /** this shop's Admin API token */
  readonly shopify: ShopifyPort;
  readonly settings: ShopSettings;
}

export interface ShopDirectory {
  list(): readonly ShopContext[];
  get(shop: string): ShopContext | undefined;
}

// --- the webhook's edge ------------------------------------------------------------------------------------------

export type WebhookVerification =
  | { authentic: false; reason: string }
  | { authentic: true; missingHeaders: string[] };

/** What a shop-routed verifier answers for a shop the deployment does not serve: it has no secret to verify with. */
export const unknownShopReason = 'unknown_shop';

/** Checks Shopify's HMAC over the exact raw bytes of the body (never a decoded string). */
export type WebhookVerifier = (
  rawBody: Uint8Array,
  headers: Record<string, string>,
) => Promise<WebhookVerification>;

export interface QuarantinedDelivery {
  shop: string;
  topic: string;
  /** the delivery's id (event or webhook id): the same delivery retried lands on the same object */
  deliveryId: string;
  reason: string;
  receivedAt: number;
  body: Buffer;
}

/** Keeps authentic payloads that could not be parsed, byte for byte; resolves to where it was kept. */
export interface QuarantineStore {
  put(delivery: QuarantinedDelivery): Promise<string>;
}

// --- the reconciliation sweep ------------------------------------------------------------------------------------

/** The sweep's state per shop. */
export interface SweepCheckpoint extends SweepProgress {
  /** sweeps in a row that found orders whose webhooks never arrived */
  consecutiveMissedSweeps: number;
  /** webhooks the last run found missing, for the alarm's text */
  lastRunMissed: number;
  /** webhook topics found missing at the last run, so one gap is reported once */
  missingTopics: string[];
  /** the status of each HotWax import flow at the last run (by flow), so a change is reported once */
  importFlows: Record<string, ImportFlowHealth['status']>;
  lastRunAt?: number | undefined;
}

export type SweepClaim =
  | { claimed: true; checkpoint: SweepCheckpoint }
  | { claimed: false; heldUntil: number };

/** The checkpoint behind a lease: two sweeps of a shop never work the same window. */
export interface SweepCheckpoints {
  claim(params: { shop: string; owner: string; now: number; leaseUntil: number }): Promise<SweepClaim>;
  /** Extends the lease while its holder runs; false when it had passed to another run. */
  renew(params: { shop: string; owner: string; leaseUntil: number }): Promise<boolean>;
  saveProgress(params: { shop: string; owner: string; progress: SweepProgress }): Promise<void>;
  /** Records the run's outcome and gives the lease back; false when the lease had passed to another run. */
  release(params: {
    shop: string;
    owner: string;
    update?: Partial<
      Pick<
        SweepCheckpoint,
        'consecutiveMissedSweeps' | 'lastRunMissed' | 'missingTopics' | 'importFlows' | 'lastRunAt'
      >
    >;
  }): Promise<boolean>;
}

// --- telling people ----------------------------------------------------------------------------------------------

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
  /** one line: what happened */
  title: string;
  /** why, in plain words */
  explanation?: string;
  /** the exact fix: the runbook's steps for this case */
  fix?: string;
  rawError?: string;
  /** support bundle for escalations: timeline, findings, ids */
  bundle?: Record<string, unknown>;
  at: number;
}

/** Hands notifications to the notifier (a queue in AWS). */
export interface Notifier {
  notify(notifications: readonly Notification[]): Promise<void>;
}

/** What the notifier posts, before any rendering: the Slack adapter decides how it looks. */
export type OutgoingMessage =
  | { kind: 'notification'; notification: Notification; now: number }
  | { kind: 'digest'; notifications: readonly Notification[]; options: DigestOptions }
  | { kind: 'alarm'; alarm: CloudWatchAlarm };

/** Where Slack messages go: the Web API, an incoming webhook, or the console when Slack is not configured. */
export interface SlackSender {
  readonly kind: 'web-api' | 'webhook' | 'console';
  /** Replies can go into a thread (Web API only: incoming webhooks return no message ts). */
  readonly supportsThreads: boolean;
  /** An earlier message can be edited (Web API `chat.update`). */
  readonly supportsUpdate: boolean;
  /** Posts a message; resolves with its ts when the transport returns one. Throws SlackUnavailableError. */
  post(
    message: OutgoingMessage,
    options?: { threadTs?: string; broadcast?: boolean },
  ): Promise<{ ts?: string }>;
  /** Replaces an earlier message (only when `supportsUpdate`). Throws SlackUnavailableError. */
  update(ts: string, message: OutgoingMessage): Promise<void>;
}

/** What the notifier remembers about the messages it posted for one order. */
export interface SlackThread {
  /** ts of the order's first message: replies go under it. Absent when posted through an incoming webhook. */
  ts?: string;
  /** Keys of the notifications already posted for this order, so an SQS redelivery posts nothing twice. */
  postedKeys: ReadonlySet<string>;
}

/** A storm window's digest: the orders in it and what has been posted about them. */
export interface DigestWindow {
  entries: Notification[];
  /** ts of the posted digest (Web API); absent before it is posted or with an incoming webhook. */
  ts?: string;
  /** How many entries the last posted (or updated) digest showed; absent while nothing is posted. */
  postedCount?: number;
  /** How many orders of the window got a message of their own. */
  individualCount: number;
}

export interface WindowKey {
  shop: string;
  /** epoch ms of the window's start */
  windowStart: number;
}

/** Slack message bookkeeping: threads per order, and the storm window counters. */
export interface SlackThreadStore {
  getThread(shop: string, orderId: string): Promise<SlackThread | undefined>;
  /** Records that `postedKey` was posted for the order; keeps the first ts as the thread root. */
  recordPost(
    shop: string,
    orderId: string,
    post: { postedKey: string; ts?: string },
    now: number,
  ): Promise<void>;
  /**
   * Atomically takes one of `limit` individual-message slots of the window for the order. True when the order
   * holds a slot (also when it already held one: redeliveries keep their slot).
   */
  claimWindowSlot(window: WindowKey, orderId: string, limit: number, now: number): Promise<boolean>;
  /** Adds orders to the window's digest (idempotent per order) and returns the window as it is now. */
  addToDigest(window: WindowKey, entries: readonly Notification[], now: number): Promise<DigestWindow>;
  readDigest(window: WindowKey): Promise<DigestWindow>;
  /** Takes the right to post the window's first digest; false while someone else holds a fresh claim or it is posted. */
  claimDigestPost(window: WindowKey, claimId: string, now: number, staleAfterMs: number): Promise<boolean>;
  releaseDigestClaim(window: WindowKey, claimId: string): Promise<void>;
  /** Records the posted digest (and its ts) and releases the claim. */
  markDigestPosted(window: WindowKey, post: { claimId: string; ts?: string; count: number }): Promise<void>;
  /**
   * Moves the window's posted count from `from` to `to`; false when another invocation moved it first, so only one
   * of them posts the corresponding update or follow-up.
   */
  advanceDigestCount(window: WindowKey, from: number, to: number): Promise<boolean>;
}

/**
 * Why Slack did not take the message: `rate_limited` (HTTP 429), `server_error` (5xx or Slack's internal errors),
 * `unreachable` (network failure, timeout) — all transient — or, permanent, `rejected` (bad token, unknown channel
 * or webhook: a person must fix the configuration) and `invalid_message` (this one message was refused).
 */
export type SlackFailureReason =
  | 'rate_limited'
  | 'server_error'
  | 'unreachable'
  | 'rejected'
  | 'invalid_message';

/** Slack could not take the message; `transient` failures succeed on a later delivery of the queue record. */
export class SlackUnavailableError extends Error {
  override name = 'SlackUnavailableError';
  readonly reason: SlackFailureReason;
  readonly transient: boolean;
  /** Seconds Slack asked us to wait (HTTP 429 Retry-After). */
  readonly retryAfter?: number;
  readonly status?: number;
  /** Slack's error code, such as `invalid_auth` or `channel_not_found`. */
  readonly slackError?: string;

  constructor(
    message: string,
    details: {
      reason: SlackFailureReason;
      retryAfter?: number;
      status?: number;
      slackError?: string;
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.reason = details.reason;
    this.transient = details.reason !== 'rejected' && details.reason !== 'invalid_message';
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
    if (details.status !== undefined) this.status = details.status;
    if (details.slackError !== undefined) this.slackError = details.slackError;
  }
}

// --- acting from Slack (buttons, the slash command, the timeline page) -------------------------------------------

/** Where the outcome of a person's action is shown: the message they clicked, in place, and its thread. */
export interface ReplyTarget {
  /** the channel message (absent for an ephemeral message, which only its `responseUrl` can replace) */
  channel?: string;
  messageTs?: string;
  /** the thread the message belongs to (the message itself when it is a thread's root) */
  threadTs?: string;
  /** Slack's response_url of the interaction (valid 30 minutes) */
  responseUrl?: string;
}

/** A reply owed to a person: the outcome of what they asked (`notice` instead: a word only for them). */
export interface ActionReply {
  v: 1;
  requestId: string;
  shop: string;
  orderId: string;
  notice?: string;
}

/** What was asked, by whom, and where to answer; kept for a day, keyed by the request id. */
export interface ActionRequestRecord {
  requestId: string;
  shop: string;
  orderId: string;
  kind: PersonActionKind | 'notice';
  actor: string;
  at: number;
  target: ReplyTarget;
  /** set once the outcome was shown, so a redelivered reply shows nothing twice */
  repliedAt?: number;
}

export interface ActionRequestStore {
  put(request: ActionRequestRecord): Promise<void>;
  get(requestId: string): Promise<ActionRequestRecord | undefined>;
  /** true for the first caller only */
  markReplied(requestId: string, now: number): Promise<boolean>;
}

/** Hands replies to the worker that posts them (a queue in AWS). */
export interface ActionReplies {
  send(replies: readonly ActionReply[]): Promise<void>;
}

/** Orders by their Shopify name (`#1001`), from an index: no scans. */
export interface OrderNameIndex {
  find(orderName: string): Promise<OrderKey[]>;
}

/** Signed, expiring links to an order's timeline page, for browsers without AWS credentials. */
export interface TimelineLinks {
  url(key: OrderKey, now: number): string;
  /** the order the token opens, or why it opens nothing */
  verify(
    token: string,
    orderId: string,
    now: number,
  ):
    | { valid: true; shop: string; expiresAt: number }
    | { valid: false; reason: 'malformed' | 'expired' | 'forged' };
}

/** Who may take the restricted actions (Retry repair, Ignore): everybody unless a list is configured. */
export interface ActorPolicy {
  mayTake(actor: string, kind: PersonActionKind): Promise<boolean>;
}

/** Slack as the actions see it: the outcome shown in place, a word for one person, the Ignore modal. */
export interface SlackResponder {
  /**
   * Replaces the message the person clicked with the order as it is now (chat.update, or response_url for an
   * ephemeral message) and, for a channel message, says in its thread what happened.
   */
  showOutcome(target: ReplyTarget, view: OrderView, outcome: { actor: string; said: string }): Promise<void>;
  /** An ephemeral word for the person who asked. */
  tell(target: ReplyTarget, text: string): Promise<void>;
  /** Opens the modal that asks why the order is ignored (Slack allows 3 s after the click). */
  openIgnoreModal(
    triggerId: string,
    order: { key: OrderKey; orderName: string },
    target: ReplyTarget,
  ): Promise<void>;
}
