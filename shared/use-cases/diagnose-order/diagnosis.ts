import { applyOrderSeen } from '../../domain/apply-order-seen.js';
import { pickLiveVersion } from '../../domain/hotwax-versions.js';
import type { OrderRecord, RepairRecord } from '../../domain/order-sync.js';
import type { HotwaxOrder, HotwaxPort, ShopifyOrderSnapshot, ShopifyPort } from '../../domain/ports.js';
import type { Decision } from '../../domain/runbook/decide.js';
import { isFulfilledInShopify } from '../../domain/runbook/evidence.js';
import { inGroup, type SyncState } from '../../domain/states.js';

/** The order in Shopify, as a person reads it. */
export interface ShopifyView {
  orderName: string;
  channel: OrderRecord['channel'];
  sourceName: string | null;
  createdAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  test: boolean;
  financialStatus: string;
  fulfillmentStatus: string;
  fulfilled: boolean;
  /** presence only: which contact data the order has, never the data */
  flags: OrderRecord['flags'];
  url: string;
}

export interface HotwaxView {
  /** the live version, or the newest one when every version is cancelled */
  orderId: string;
  statusId: string;
  live: boolean;
  salesChannelEnumId?: string;
  versions: Array<{ orderId: string; statusId: string }>;
  url: string;
}

export interface RepairReport {
  kind: RepairRecord['kind'];
  /** what was (or would be) triggered, in words */
  description: string;
  performed: boolean;
  requestedAt?: string;
  verified?: boolean;
  /** the state after the repair: `in_sync` when verified */
  state?: SyncState;
  /** what the verification saw last, in words */
  outcome?: string;
  /** the repair could not be triggered */
  error?: string;
  waitedSeconds?: number;
}

/** What is wrong, as the decision table found it. */
export interface DiagnosisFinding {
  title: string;
  explanation: string;
  rawError?: string;
  mdmLogId?: string;
}

/** The runbook's answer for one order, in the words a person acts on. Holds no personal data. */
export interface Diagnosis {
  shop: string;
  orderId: string;
  checkedAt: string;
  /** nothing needs a person: in sync with HotWax, or nothing to sync (after the repair, when one was made) */
  healthy: boolean;
  /** null: Shopify has no such order */
  shopify: ShopifyView | null;
  /** null: HotWax has no order with this Shopify id */
  hotwax: HotwaxView | null;
  /** the state the monitor would put the order in; null when Shopify has no such order */
  state: SyncState | null;
  /** one line: that all is well, or what is wrong */
  summary: string;
  finding?: DiagnosisFinding;
  fix?: string;
  /** the repair the runbook calls for; `performed` only with `repair: true` */
  repair?: RepairReport;
}

export const iso = (ms: number) => new Date(ms).toISOString();

export const shopifyView = (shopify: ShopifyPort, snapshot: ShopifyOrderSnapshot): ShopifyView => ({
  orderName: snapshot.orderName,
  channel: snapshot.channel,
  sourceName: snapshot.sourceName,
  createdAt: iso(snapshot.createdAt),
  updatedAt: iso(snapshot.updatedAt),
  cancelledAt: snapshot.cancelledAt === null ? null : iso(snapshot.cancelledAt),
  test: snapshot.test,
  financialStatus: snapshot.displayFinancialStatus,
  fulfillmentStatus: snapshot.displayFulfillmentStatus,
  fulfilled: isFulfilledInShopify(snapshot, snapshot),
  flags: snapshot.flags,
  url: shopify.orderUrl(snapshot.orderId),
});

export const hotwaxView = (hotwax: HotwaxPort, versions: readonly HotwaxOrder[]): HotwaxView | null => {
  const live = pickLiveVersion(versions);
  const shown = live ?? versions[0];
  if (!shown) return null;
  return {
    orderId: shown.orderId,
    statusId: shown.statusId,
    live: live !== undefined,
    ...(shown.salesChannelEnumId ? { salesChannelEnumId: shown.salesChannelEnumId } : {}),
    versions: versions.map(({ orderId, statusId }) => ({ orderId, statusId })),
    url: hotwax.orderUrl(shown.orderId),
  };
};

export const findingView = (finding: NonNullable<OrderRecord['finding']>): DiagnosisFinding => ({
  title: finding.title,
  explanation: finding.explanation,
  ...(finding.rawError !== undefined ? { rawError: finding.rawError } : {}),
  ...(finding.mdmLogId !== undefined ? { mdmLogId: finding.mdmLogId } : {}),
});

/**
 * A record as if the monitor had just heard of the order from Shopify. Its timestamps come from Shopify's copy, so
 * the decision depends only on the order and `now`: fulfilled since Shopify's last update (the snapshot carries no
 * fulfilment time), created at Shopify's creation time.
 */
export const recordFromSnapshot = (
  shop: string,
  snapshot: ShopifyOrderSnapshot,
  now: number,
): OrderRecord => {
  const { displayFinancialStatus: _financial, displayFulfillmentStatus: _fulfillment, ...facts } = snapshot;
  const fulfilled = isFulfilledInShopify(snapshot, snapshot);
  const { record } = applyOrderSeen(undefined, {
    facts: { ...facts, shop },
    expectation: fulfilled ? 'fulfilled' : 'created',
    via: fulfilled ? 'orders/fulfilled' : 'orders/create',
    at: now,
    checkDelayMs: 0,
  });
  const { lastWebhookAt: _webhook, nextCheckAt: _next, ...rest } = record;
  return { ...rest, source: 'cli', ...(fulfilled ? { fulfilledSeenAt: snapshot.updatedAt } : {}) };
};

/** Nothing needs a person. */
export const isHealthy = (state: SyncState) => inGroup(state, 'healthy');

/** One line: that all is well, or what is wrong. */
export const summarize = (decision: Decision): string => {
  const { record, events, notify, situation } = decision;
  const said = events.at(-1)?.message ?? record.state;
  if (isHealthy(record.state)) return said;
  if (notify) return notify.title;
  const title = record.finding?.title;
  switch (situation) {
    case 'data_fixed_in_shopify':
      return `Not in HotWax: the import failed (${title}), and the order changed in Shopify since, so it can be re-imported.`;
    case 'missed_by_import':
    case 'import_failed':
    case 'reimport_not_landed':
      return title
        ? `Not in HotWax: the import failed (${title}).`
        : "Not in HotWax, and no failed import record names it: HotWax's import probably missed it.";
    case 'pos_fulfilled_stuck':
    case 'refresh_not_verified':
    case 'pos_stuck_reimport':
    case 'stuck_reimport_not_verified':
      return `POS order fulfilled in Shopify, but HotWax order ${record.hotwax?.orderId} is still ${record.hotwax?.statusId}.`;
    default:
      return said;
  }
};
