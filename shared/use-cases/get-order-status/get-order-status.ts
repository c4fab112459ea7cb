import type { OrderRepository } from '../../domain/ports.js';
import { safeErrorText, withSafeErrorDetail } from '../../domain/safe-error-text.js';

export class OrderNotFoundError extends Error {
  override name = 'OrderNotFoundError';
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * The order's sync state and timeline, for people and scripts (`GET /orders/{id}`, the CLI). Times are ISO strings.
 * With several shops holding the id (one deployment normally serves one shop) `shop` picks one. Error texts are
 * served reduced (`safeErrorText`), also those of records written before the table kept them so.
 */
export const getOrderStatus = async (
  store: Pick<OrderRepository, 'getWithTimeline'>,
  orderId: string,
  shop?: string,
) => {
  const { records, timeline } = await store.getWithTimeline(orderId);
  const record = records.find((candidate) => !shop || candidate.shop === shop);
  if (!record) throw new OrderNotFoundError(`order ${orderId} is not known to the monitor`);
  return {
    shopifyOrderId: record.orderId,
    shop: record.shop,
    orderName: record.orderName,
    channel: record.channel,
    state: record.state,
    stateSince: iso(record.stateSince),
    expectation: record.expectation,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    cancelledAt: iso(record.cancelledAt ?? undefined),
    test: record.test,
    financialStatus: record.financialStatus,
    fulfillmentStatus: record.fulfillmentStatus,
    flags: record.flags,
    hotwax: record.hotwax ?? null,
    finding: record.finding
      ? {
          ...record.finding,
          ...(record.finding.rawError !== undefined
            ? { rawError: safeErrorText(record.finding.rawError) }
            : {}),
        }
      : null,
    repairAttempts: record.repairAttempts,
    nextCheckAt: iso(record.nextCheckAt) ?? null,
    inSyncAt: iso(record.inSyncAt) ?? null,
    timeline: timeline
      .filter((event) => event.shop === record.shop)
      .map(({ shop: _shop, at, ...event }) => ({
        at: iso(at),
        ...event,
        ...(event.detail ? { detail: withSafeErrorDetail(event.detail) } : {}),
      })),
  };
};

export type OrderStatus = Awaited<ReturnType<typeof getOrderStatus>>;
