import { z } from 'zod';
import type { Channel, DataFlags, OrderFacts } from './order-sync.js';

const isoTime = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));
const text = z.string().nullish();
const address = z
  .object({ address1: text, city: text, zip: text, country_code: text, phone: text })
  .nullish();

/**
 * The fields of Shopify's order webhook payload (REST shape) that the monitor needs. Unknown fields are
 * tolerated and dropped: names, addresses, phones and e-mails are read only to derive presence flags.
 */
export const orderPayloadSchema = z.object({
  id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform((value) => String(value)),
  name: z.string().min(1),
  source_name: text,
  created_at: isoTime,
  updated_at: isoTime,
  cancelled_at: isoTime.nullish(),
  test: z.boolean().nullish(),
  financial_status: text,
  fulfillment_status: text,
  email: text,
  contact_email: text,
  phone: text,
  customer: z.object({ email: text, phone: text }).nullish(),
  shipping_address: address,
  billing_address: address,
});
export type OrderPayload = z.infer<typeof orderPayloadSchema>;

export const channelFromSource = (sourceName: string | null | undefined): Channel => {
  const source = sourceName?.trim().toLowerCase();
  if (source === 'pos') return 'pos';
  if (source === 'web') return 'web';
  return 'other';
};

const present = (...values: Array<string | null | undefined>): boolean =>
  values.some((value) => typeof value === 'string' && value.trim() !== '');

export const dataFlags = (payload: OrderPayload): DataFlags => ({
  hasCustomer: payload.customer != null,
  hasEmail: present(payload.email, payload.contact_email, payload.customer?.email),
  hasPhone: present(
    payload.phone,
    payload.customer?.phone,
    payload.shipping_address?.phone,
    payload.billing_address?.phone,
  ),
  hasShippingAddress: present(payload.shipping_address?.address1),
  hasShippingPhone: present(payload.shipping_address?.phone),
  hasBillingAddress: present(payload.billing_address?.address1),
});

export const toOrderFacts = (shop: string, payload: OrderPayload): OrderFacts => ({
  shop,
  orderId: payload.id,
  orderName: payload.name,
  channel: channelFromSource(payload.source_name),
  sourceName: payload.source_name ?? null,
  createdAt: payload.created_at,
  updatedAt: payload.updated_at,
  cancelledAt: payload.cancelled_at ?? null,
  test: payload.test ?? false,
  financialStatus: payload.financial_status ?? null,
  fulfillmentStatus: payload.fulfillment_status ?? null,
  flags: dataFlags(payload),
});

export class UnparseablePayloadError extends Error {
  override name = 'UnparseablePayloadError';
}

/** Parses a raw webhook body; throws UnparseablePayloadError saying what is wrong (never echoing values). */
export const parseOrderPayload = (rawBody: string): OrderPayload => {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch (error) {
    throw new UnparseablePayloadError('body is not JSON', { cause: error });
  }
  const result = orderPayloadSchema.safeParse(json);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`);
    throw new UnparseablePayloadError(`payload does not match the order schema (${fields.join('; ')})`);
  }
  return result.data;
};
