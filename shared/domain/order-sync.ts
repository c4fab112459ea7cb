import type { PersonMarks } from './person-actions.js';
import type { SyncState } from './states.js';

export type { SyncState };

/**
 * The records, facts, timeline events and check messages of the order sync. One record per (shop, Shopify order
 * id); its states and their groups are in `states.ts`.
 */

/** Which order of which shop: how use cases name a record (never by a storage key). */
export interface OrderKey {
  shop: string;
  orderId: string;
}

/** A key for maps of orders in memory; the repository keeps its own storage keys to itself. */
export const orderKey = ({ shop, orderId }: OrderKey): string => `${shop}/${orderId}`;

/** `pos` when Shopify's `source_name` is `pos`; `web` for the online store; `other` for apps, drafts, etc. */
export type Channel = 'pos' | 'web' | 'other';

/** What HotWax must show: after `orders/create` a live order, after `orders/fulfilled` one no longer Created. */
export type Expectation = 'created' | 'fulfilled';

export type HotwaxStatus =
  | 'ORDER_CREATED'
  | 'ORDER_APPROVED'
  | 'ORDER_HOLD'
  | 'ORDER_COMPLETED'
  | 'ORDER_CANCELLED'
  | 'ORDER_REJECTED'
  | 'ORDER_EXPIRED'
  | (string & {});

/** Presence flags instead of personal data: the job needs to know a phone exists, not what it is. */
export interface DataFlags {
  /** absent when the source could not see it: the Admin API re-read does not ask for the customer (read_customers) */
  hasCustomer?: boolean;
  hasEmail: boolean;
  hasPhone: boolean;
  hasShippingAddress: boolean;
  hasShippingPhone: boolean;
  hasBillingAddress: boolean;
}

/** The facts about a Shopify order that the monitor keeps (from a webhook, the sweep or a re-read). */
export interface OrderFacts {
  shop: string;
  orderId: string;
  orderName: string;
  channel: Channel;
  sourceName: string | null;
  createdAt: number;
  updatedAt: number;
  cancelledAt: number | null;
  test: boolean;
  financialStatus: string | null;
  fulfillmentStatus: string | null;
  flags: DataFlags;
}

/** The facts Shopify owns (everything of OrderFacts but the shop), copied field by field so nothing else leaks in. */
export const pickFacts = (source: Omit<OrderFacts, 'shop'>): Omit<OrderFacts, 'shop'> => ({
  orderId: source.orderId,
  orderName: source.orderName,
  channel: source.channel,
  sourceName: source.sourceName,
  createdAt: source.createdAt,
  updatedAt: source.updatedAt,
  cancelledAt: source.cancelledAt,
  test: source.test,
  financialStatus: source.financialStatus,
  fulfillmentStatus: source.fulfillmentStatus,
  flags: source.flags,
});

export interface TimelineEvent {
  at: number;
  /** Short machine-readable kind, e.g. `webhook.orders/create`, `check.missing`, `repair.reimport`. */
  type: string;
  /** The state after the event, when it changed or was confirmed. */
  state?: SyncState;
  /** What was observed, in plain words. */
  message: string;
  detail?: Record<string, unknown>;
}

/** What the monitor found wrong, in the words a person acts on. */
export interface Finding {
  /** one line: what is wrong, e.g. "Phone number missing or invalid" */
  title: string;
  /** why, in plain words */
  explanation: string;
  /** the runbook's steps for a person */
  fix: string;
  /** The raw error text from HotWax, shown verbatim. */
  rawError?: string;
  mdmLogId?: string;
}

export interface OrderRecord extends OrderFacts {
  state: SyncState;
  stateSince: number;
  expectation: Expectation;
  /** When the next check is due (epoch ms); absent when no check is scheduled. */
  nextCheckAt?: number;
  repairAttempts: number;
  /** Optimistic concurrency: every write is conditional on the version read. */
  version: number;
  firstSeenAt: number;
  lastWebhookAt?: number;
  /** When the monitor learnt the order was fulfilled in Shopify (webhook or re-read). */
  fulfilledSeenAt?: number;
  /** How the monitor first heard of the order. */
  source: 'webhook' | 'sweep' | 'cli';
  hotwax?: {
    orderId: string;
    statusId: HotwaxStatus;
    salesChannelEnumId?: string;
    versions: number;
    seenAt: number;
    /** the order in HotWax's UI, for people (the checker's port knows the tenant's link) */
    url?: string;
  };
  finding?: Finding;
  /** When the order first reached HotWax in the expected state (sync lag = inSyncAt - createdAt). */
  inSyncAt?: number;
  /** Shopify's updatedAt when the data problem was found: a later one means somebody fixed the order. */
  blockedAtShopifyUpdatedAt?: number;
  /** How many times the order was re-checked in its current waiting state (backoff for blocked / approval). */
  rechecks?: number;
  /** When the last repair was requested: an MDM failure older than this is not the repair's outcome. */
  lastRepairAt?: number;
  /** When a person was last told the order needs them; they hear "resolved" once it is in sync. */
  humanNotifiedAt?: number;
  /** Repairs requested so far (newest last, at most 10): the support bundle's "job runs". */
  repairs?: RepairRecord[];
  /** What people decided about the order from Slack (mute, ignore), by Slack user id: `person-actions.ts`. */
  byPerson?: PersonMarks;
}

export interface RepairRecord {
  at: number;
  kind: 'reimport_job' | 'reimport_order' | 'refresh';
  /** the job or service run, or the HotWax order refreshed */
  detail: string;
  /** HotWax's id of the run, when it gives one (Maarg jobRunId): the verify asks how it went */
  runId?: string;
}

/** A check message on the queue. `dueAt` may lie beyond SQS's 15-minute delay limit: the checker re-queues. */
export interface CheckMessage {
  v: 1;
  shop: string;
  orderId: string;
  reason: 'created' | 'fulfilled' | 'verify' | 'recheck' | 'sweep' | 'manual';
  dueAt: number;
  /** A person asked for this check (Slack's Re-check now / Retry repair): they are told its outcome. */
  requestedBy?: { actor: string; requestId: string };
}
