import type { HotwaxOrder } from './ports.js';

/**
 * After a "Refresh order" HotWax holds two orders with one `externalId`: the old version Cancelled (tagged "old
 * version" in the UI) and a new live one. Exchanges and duplicate imports also share an `externalId`
 * (hotwax-api.md › "Several orders can share one externalId"), but leave two orders live: then no order is "the"
 * live version. These helpers read that history.
 */

const cancelled = 'ORDER_CANCELLED';

/**
 * HotWax's own terminal decisions on an order that reached it (rejected by its rules, or expired unpaid): the order
 * is in HotWax, so it is never re-imported or refreshed.
 */
export const hotwaxDecisionStatuses: ReadonlySet<string> = new Set(['ORDER_REJECTED', 'ORDER_EXPIRED']);

export const isHotwaxDecision = (order: Pick<HotwaxOrder, 'statusId'>): boolean =>
  hotwaxDecisionStatuses.has(order.statusId);

const enteredAt = (order: HotwaxOrder): number =>
  order.entryDate ?? order.orderDate ?? Number.NEGATIVE_INFINITY;

/** Newer first; equal times fall back to the order id, which HotWax issues in sequence (HC10041 < HC10042). */
const newerFirst = (a: HotwaxOrder, b: HotwaxOrder): number =>
  enteredAt(b) - enteredAt(a) || b.orderId.localeCompare(a.orderId, 'en', { numeric: true });

/** Every order that is not cancelled, newest (`entryDate`) first. More than one is an ambiguity. */
export const liveVersions = (orders: readonly HotwaxOrder[]): HotwaxOrder[] =>
  orders.filter((order) => order.statusId !== cancelled).sort(newerFirst);

/**
 * The newest order that is not cancelled, or undefined when all are cancelled. It is the live version only when it
 * is the one non-cancelled order (`liveVersions` has one entry); people's views show it either way.
 */
export const pickLiveVersion = (orders: readonly HotwaxOrder[]): HotwaxOrder | undefined =>
  liveVersions(orders)[0];

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
