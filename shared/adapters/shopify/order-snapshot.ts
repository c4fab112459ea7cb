import type { ShopifyOrderSnapshot } from '../../domain/ports.js';
import { channelFromSource } from '../../domain/shopify-order-payload.js';

/**
 * The Order fields the client reads. Personal fields are requested only to learn whether they are present:
 * `toOrderSnapshot` turns them into flags and drops the values (no PII at rest).
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
  email
  phone
  customer { id defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
  shippingAddress { address1 phone }
  billingAddress { address1 phone }
`;

interface AddressNode {
  address1?: string | null;
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
  email?: string | null;
  phone?: string | null;
  customer?: {
    id: string;
    defaultEmailAddress?: { emailAddress?: string | null } | null;
    defaultPhoneNumber?: { phoneNumber?: string | null } | null;
  } | null;
  shippingAddress?: AddressNode | null;
  billingAddress?: AddressNode | null;
}

const orderGidPattern = /^gid:\/\/shopify\/Order\/(\d+)$/;

/** `gid://shopify/Order/<id>` for a numeric id or a gid; undefined for anything else. */
export const orderGid = (orderId: string): string | undefined => {
  const value = orderId.trim();
  if (/^\d+$/.test(value)) return `gid://shopify/Order/${value}`;
  return orderGidPattern.test(value) ? value : undefined;
};

const legacyOrderId = (node: OrderNode): string =>
  node.legacyResourceId ?? orderGidPattern.exec(node.id)?.[1] ?? node.id;

const present = (...values: Array<string | null | undefined>): boolean =>
  values.some((value) => typeof value === 'string' && value.trim() !== '');

/** Webhooks carry REST's lower-case `financial_status`; GraphQL's display enum lower-cased is the same word. */
export const financialStatusFromDisplay = (display: string | null | undefined): string | null =>
  display ? display.toLowerCase() : null;

const restFulfillmentStatus: Readonly<Record<string, string>> = {
  FULFILLED: 'fulfilled',
  PARTIALLY_FULFILLED: 'partial',
  RESTOCKED: 'restocked',
};

/**
 * REST's `fulfillment_status` (`fulfilled`, `partial`, `restocked`, or null while nothing shipped), so a re-read
 * compares with what the webhooks said. GraphQL's in-between states (ON_HOLD, IN_PROGRESS, ...) are null in REST.
 */
export const fulfillmentStatusFromDisplay = (display: string | null | undefined): string | null =>
  (display && restFulfillmentStatus[display]) ?? null;

const epochMs = (iso: string): number => {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new RangeError(`not a timestamp: ${iso}`);
  return value;
};

/** The snapshot the checker and the sweep work with: the same flags the webhook path derives, never the values. */
export const toOrderSnapshot = (node: OrderNode): ShopifyOrderSnapshot => {
  const customer = node.customer ?? null;
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
      hasCustomer: customer != null,
      hasEmail: present(node.email, customer?.defaultEmailAddress?.emailAddress),
      hasPhone: present(
        node.phone,
        customer?.defaultPhoneNumber?.phoneNumber,
        shipping?.phone,
        billing?.phone,
      ),
      hasShippingAddress: present(shipping?.address1),
      hasShippingPhone: present(shipping?.phone),
      hasBillingAddress: present(billing?.address1),
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
