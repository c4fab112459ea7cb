import { applyOrderSeen } from '../../shared/domain/apply-order-seen.js';
import type { DataFlags, OrderFacts } from '../../shared/domain/order-sync.js';

/** Presence flags of an order with a customer, contact data and addresses. */
export const allFlags: DataFlags = {
  hasCustomer: true,
  hasEmail: true,
  hasPhone: true,
  hasShippingAddress: true,
  hasShippingPhone: true,
  hasBillingAddress: true,
};

/** A paid, unfulfilled web order's facts; `at` is its creation (and last update) time. */
export const webOrderFacts = (
  at: number,
  overrides: Partial<OrderFacts> & Pick<OrderFacts, 'shop' | 'orderId'>,
): OrderFacts => ({
  orderName: '#1042',
  channel: 'web',
  sourceName: 'web',
  createdAt: at,
  updatedAt: at,
  cancelledAt: null,
  test: false,
  financialStatus: 'paid',
  fulfillmentStatus: null,
  flags: allFlags,
  ...overrides,
});

/** An order as its orders/create webhook leaves it, before anything is stored: the record, its event, its check. */
export const createdByWebhook = (facts: OrderFacts, at: number, checkDelayMs: number) =>
  applyOrderSeen(undefined, { facts, expectation: 'created', via: 'orders/create', at, checkDelayMs });
