import type { HotwaxOrder } from '../../domain/ports.js';

/**
 * Reading HotWax's values, the same on both backends: ids are text (never through a JS number), timestamps are
 * epoch ms or `yyyy-MM-dd HH:mm:ss[.S]` text.
 */

export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** HotWax sends timestamps as epoch ms; tolerate numeric strings and `2025-09-20 14:12:11.0` (read as UTC) too. */
export const toEpochMs = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const iso = trimmed.replace(' ', 'T');
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
  const parsed = Date.parse(zoned);
  return Number.isNaN(parsed) ? undefined : parsed;
};

export const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
};

/** Newest version first: by entry date, then by the later order id. */
export const byNewest = (a: HotwaxOrder, b: HotwaxOrder): number =>
  (b.entryDate ?? b.orderDate ?? 0) - (a.entryDate ?? a.orderDate ?? 0) ||
  b.orderId.localeCompare(a.orderId, 'en', { numeric: true });

/** The distinct, trimmed, non-empty Shopify order ids of a request. */
export const distinctIds = (ids: readonly string[]): string[] => [
  ...new Set(ids.map((id) => String(id).trim()).filter((id) => id !== '')),
];

/** One OrderHeader row as the domain knows it; rows without an id, Shopify id or status are not orders. */
export const toHotwaxOrder = (doc: Record<string, unknown>): HotwaxOrder | undefined => {
  const orderId = text(doc.orderId);
  const externalId = text(doc.externalId);
  const statusId = text(doc.statusId);
  if (!orderId || !externalId || !statusId) return undefined;
  return {
    orderId,
    externalId,
    statusId,
    orderName: text(doc.orderName),
    salesChannelEnumId: text(doc.salesChannelEnumId),
    orderDate: toEpochMs(doc.orderDate),
    entryDate: toEpochMs(doc.entryDate),
  };
};

/** `{orderId}` in a link template, replaced URL-safely. */
export const fillOrderUrl = (template: string, hotwaxOrderId: string): string =>
  template.replaceAll('{orderId}', encodeURIComponent(hotwaxOrderId));

/**
 * Adds the orders among a page of OrderHeader rows to `into`, by Shopify id, each version once. A row naming an id
 * not asked for is dropped: never trust the filter blindly (Moqui ignores a parameter it does not know, and an order
 * filed under the wrong Shopify id would hide a missing one).
 */
export const addOrderVersions = (
  rows: readonly Record<string, unknown>[],
  wanted: ReadonlySet<string>,
  into: Map<string, HotwaxOrder[]>,
): void => {
  for (const row of rows) {
    const order = toHotwaxOrder(row);
    if (!order || !wanted.has(order.externalId)) continue;
    const versions = into.get(order.externalId) ?? [];
    if (!versions.some((known) => known.orderId === order.orderId)) versions.push(order);
    into.set(order.externalId, versions);
  }
};
