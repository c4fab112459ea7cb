import type { ShopifyOrderSnapshot } from '../../domain/ports.js';
import { channelFromSource } from '../../domain/shopify-order-payload.js';

/**
 * The Order fields the client reads: the smallest set that answers the runbook's questions (exists? cancelled?
 * test? channel? paid? fulfilled? changed since?) plus presence flags, with nothing beyond the `read_orders` scope
 * and one protected customer field:
 * - `canNotifyCustomer` says the order has a usable e-mail without reading it (no protected e-mail access);
 * - an address counts as present when the order has one: only its `phone` is read, so the address lines stay
 *   unread (no protected address access);
 * - `phone` (order and addresses) is the one protected field requested: HotWax's most common import failure is a
 *   missing phone and no unprotected field says whether one exists;
 * - no `customer`: the Customer type needs `read_customers`, a scope over every customer of the shop, for a flag
 *   nothing in the runbook needs.
 * `toOrderSnapshot` turns the phones into flags and drops them (no PII at rest).
 */
export const orderSelection = `
  id
  legacyResourceId
  name
  createdAt
  updatedAt
  cancelledAt
  test
  sourceName
  displayFinancialStatus
  displayFulfillmentStatus
  canNotifyCustomer
  phone
  shippingAddress { phone }
  billingAddress { phone }
`;

interface AddressNode {
  phone?: string | null;
}

/** An Order as `orderSelection` returns it. */
export interface OrderNode {
  id: string;
  legacyResourceId?: string | null;
  name: string;
  createdAt: string;
  updatedAt: string;
  cancelledAt?: string | null;
  test?: boolean | null;
  sourceName?: string | null;
  displayFinancialStatus?: string | null;
  displayFulfillmentStatus?: string | null;
  canNotifyCustomer?: boolean | null;
  phone?: string | null;
  shippingAddress?: AddressNode | null;
  billingAddress?: AddressNode | null;
}

const orderGidPattern = /^gid:\/\/shopify\/Order\/(\d+)$/;

/** `gid://shopify/Order/<id>` for a numeric id or a gid; undefined for anything else. */
export const orderGid = (orderId: string): string | undefined => {
  const value = orderId.trim();
  if (/^\d+$/.test(value)) return `gid://shopify/Order/${value}`;
  return orderGidPattern.exec(value)?.[0];
};

export class UnexpectedOrderIdError extends Error {
  override name = 'UnexpectedOrderIdError';
}

/**
 * The REST id as digits, never through a number: `legacyResourceId` is an UnsignedInt64 Shopify serialises as a
 * string, the gid carries the same digits. Ids above 2^53 are real (Shopify's own examples use them).
 */
const legacyOrderId = (node: OrderNode): string => {
  const fromGid = orderGidPattern.exec(node.id)?.[1];
  const legacy = typeof node.legacyResourceId === 'string' ? node.legacyResourceId.trim() : undefined;
  if (legacy && /^\d+$/.test(legacy)) {
    if (fromGid && fromGid !== legacy) {
      throw new UnexpectedOrderIdError(`Shopify answered order ${node.id} with legacyResourceId ${legacy}`);
    }
    return legacy;
  }
  if (fromGid) return fromGid;
  throw new UnexpectedOrderIdError(`Shopify answered an order whose id is not an Order gid: ${node.id}`);
};

/** The listing's node (`orderSummariesUpdatedQuery`) as the summary the sweep compares with its records. */
export const toOrderSummary = (
  node: Pick<OrderNode, 'id' | 'legacyResourceId' | 'updatedAt' | 'displayFulfillmentStatus'>,
) => ({
  orderId: legacyOrderId(node as OrderNode),
  updatedAt: epochMs(node.updatedAt),
  fulfillmentStatus: fulfillmentStatusFromDisplay(node.displayFulfillmentStatus),
});

const present = (...values: Array<string | null | undefined>): boolean =>
  values.some((value) => typeof value === 'string' && value.trim() !== '');

/**
 * Every `OrderDisplayFinancialStatus` of the supported API versions, as the lower-case `financial_status` word
 * webhooks (REST) carry for the same state. The unit test fails when a schema adds a value this table lacks.
 */
export const financialStatusByDisplay = {
  AUTHORIZED: 'authorized',
  EXPIRED: 'expired',
  PAID: 'paid',
  PARTIALLY_PAID: 'partially_paid',
  PARTIALLY_REFUNDED: 'partially_refunded',
  PENDING: 'pending',
  REFUNDED: 'refunded',
  VOIDED: 'voided',
} as const satisfies Record<string, string>;

/**
 * Every `OrderDisplayFulfillmentStatus` of the supported API versions, as REST's `fulfillment_status` (`fulfilled`,
 * `partial`, `restocked`, or null while nothing was handed over), so a re-read compares with what webhooks said and
 * the runbook's "fulfilled in Shopify" (POS refresh, the fulfilled expectation) means items really went out:
 * - FULFILLED → fulfilled; PARTIALLY_FULFILLED → partial; RESTOCKED → restocked.
 * - UNFULFILLED, OPEN (its older name), SCHEDULED, ON_HOLD, IN_PROGRESS, PENDING_FULFILLMENT (older name of
 *   IN_PROGRESS), REQUEST_DECLINED → null: nothing has been handed over yet.
 * - FULFILLMENT_NOT_REQUIRED (2026-10: the order has no items to fulfil) → null: no fulfilment will ever happen and
 *   no orders/fulfilled comes, so HotWax owes what it owes any created order — a live order, approved in time — and
 *   a POS order in this state is not a "fulfilled in Shopify, stuck in Created" refresh case.
 * The unit test fails when a schema adds a value this table lacks.
 */
export const fulfillmentStatusByDisplay = {
  FULFILLED: 'fulfilled',
  PARTIALLY_FULFILLED: 'partial',
  RESTOCKED: 'restocked',
  UNFULFILLED: null,
  OPEN: null,
  SCHEDULED: null,
  ON_HOLD: null,
  IN_PROGRESS: null,
  PENDING_FULFILLMENT: null,
  REQUEST_DECLINED: null,
  FULFILLMENT_NOT_REQUIRED: null,
} as const satisfies Record<string, 'fulfilled' | 'partial' | 'restocked' | null>;

const lookup = <T>(table: Readonly<Record<string, T>>, display: string | null | undefined): T | undefined =>
  display && Object.hasOwn(table, display) ? table[display] : undefined;

/**
 * Webhooks carry REST's lower-case `financial_status`; a value newer than this table (a later API version) is
 * lower-cased, which is how REST spells every value known so far.
 */
export const financialStatusFromDisplay = (display: string | null | undefined): string | null =>
  lookup(financialStatusByDisplay, display) ?? (display ? display.toLowerCase() : null);

/** REST's `fulfillment_status` for a display status; null for anything not known to have handed items over. */
export const fulfillmentStatusFromDisplay = (display: string | null | undefined): string | null =>
  lookup(fulfillmentStatusByDisplay, display) ?? null;

const epochMs = (iso: string): number => {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new RangeError(`not a timestamp: ${iso}`);
  return value;
};

/**
 * The snapshot the checker and the sweep work with: the same flags the webhook path derives, never the values.
 * `hasCustomer` is absent: the customer is not read (see `orderSelection`).
 */
export const toOrderSnapshot = (node: OrderNode): ShopifyOrderSnapshot => {
  const shipping = node.shippingAddress ?? null;
  const billing = node.billingAddress ?? null;
  return {
    orderId: legacyOrderId(node),
    orderName: node.name,
    channel: channelFromSource(node.sourceName),
    sourceName: node.sourceName ?? null,
    createdAt: epochMs(node.createdAt),
    updatedAt: epochMs(node.updatedAt),
    cancelledAt: node.cancelledAt ? epochMs(node.cancelledAt) : null,
    test: node.test ?? false,
    financialStatus: financialStatusFromDisplay(node.displayFinancialStatus),
    fulfillmentStatus: fulfillmentStatusFromDisplay(node.displayFulfillmentStatus),
    displayFinancialStatus: node.displayFinancialStatus ?? 'UNKNOWN',
    displayFulfillmentStatus: node.displayFulfillmentStatus ?? 'UNKNOWN',
    flags: {
      hasEmail: node.canNotifyCustomer === true,
      hasPhone: present(node.phone, shipping?.phone, billing?.phone),
      hasShippingAddress: shipping != null,
      hasShippingPhone: present(shipping?.phone),
      hasBillingAddress: billing != null,
    },
  };
};

/**
 * Shopify's search syntax for the sweep window [from, to). Shopify documents second-precision timestamps here, so
 * the bounds are rounded outwards: the window can only grow, and the sweep is idempotent.
 */
export const updatedWindowQuery = (from: number, to: number): string => {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const lower = Math.floor(from / 1000) * 1000;
  const upper = Math.ceil(to / 1000) * 1000;
  return `updated_at:>='${iso(lower)}' AND updated_at:<'${iso(upper)}'`;
};

/** Shopify admin's link for people: `https://admin.shopify.com/store/<name>/orders/<id>`. */
export const shopifyOrderUrl = (shop: string, orderId: string): string => {
  const store = shop.replace(/\.myshopify\.com$/, '');
  const id = orderGidPattern.exec(orderId)?.[1] ?? orderId;
  return `https://admin.shopify.com/store/${encodeURIComponent(store)}/orders/${encodeURIComponent(id)}`;
};
