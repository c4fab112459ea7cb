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
