import type { HotwaxOrder } from './ports.js';

/**
 * After a "Refresh order" HotWax holds two orders with one `externalId`: the old version Cancelled (tagged "old
 * version" in the UI) and a new live one. These helpers read that history.
 */

const cancelled = 'ORDER_CANCELLED';

const enteredAt = (order: HotwaxOrder): number =>
  order.entryDate ?? order.orderDate ?? Number.NEGATIVE_INFINITY;

/** Newer first; equal times fall back to the order id, which HotWax issues in sequence (HC10041 < HC10042). */
const newerFirst = (a: HotwaxOrder, b: HotwaxOrder): number =>
  enteredAt(b) - enteredAt(a) || b.orderId.localeCompare(a.orderId, 'en', { numeric: true });

/** The live version: the newest (`entryDate`) order that is not cancelled, or undefined when all are cancelled. */
export const pickLiveVersion = (orders: readonly HotwaxOrder[]): HotwaxOrder | undefined =>
  orders.filter((order) => order.statusId !== cancelled).sort(newerFirst)[0];

/**
 * Whether a refresh happened: a cancelled version older than the live one. With `oldOrderId` (the version the
 * monitor asked to refresh), that very order must be the cancelled one and the live one must be another order.
 */
export const wasRefreshed = (orders: readonly HotwaxOrder[], oldOrderId?: string): boolean => {
  const live = pickLiveVersion(orders);
  if (!live) return false;
  return orders.some(
    (order) =>
      order.statusId === cancelled &&
      order.orderId !== live.orderId &&
      (oldOrderId === undefined || order.orderId === oldOrderId) &&
      newerFirst(live, order) < 0,
  );
};
