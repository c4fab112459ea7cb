import * as z from 'zod';
import type { Channel, DataFlags, OrderFacts } from './order-sync.js';
import { isShopifyOrderId } from './shopify-order-id.js';

const isoTime = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));
const text = z.string().nullish();
/**
 * Texts the record keeps are bounded: Shopify's own are short (an order name is a prefix, a number and a suffix),
 * and an authentic payload with a longer one could never be stored in a DynamoDB item (400 KB), so it is
 * quarantined rather than answered 503 until Shopify deletes the subscription (#11 §8).
 */
const keptText = z.string().max(255).nullish();
/** Addresses are read only to know whether the order has one; their fields stay out of the schema. */
const address = z.object({ phone: text }).nullish();
const orderGidPattern = /^gid:\/\/shopify\/Order\/(\d+)$/;

/**
 * The fields of Shopify's order webhook payload (REST shape) that the monitor needs. Unknown fields are
 * tolerated and dropped: e-mails and phones are read only to derive presence flags.
 *
 * `id` is a JSON number that exceeds 2^53 in real payloads (Shopify's own example is 820982911946154508), so it is
 * accepted as any number here and never used as one: the order id is read from `admin_graphql_api_id`, or from the
 * digits of `id` as written in the body (see `parseOrderPayload`).
 */
export const orderPayloadSchema = z
  .object({
    id: z.union([z.number().positive(), z.string().regex(/^\d+$/)]).optional(),
    admin_graphql_api_id: z.string().optional(),
    name: z.string().min(1).max(255),
    source_name: keptText,
    created_at: isoTime,
    updated_at: isoTime,
    cancelled_at: isoTime.nullish(),
    test: z.boolean().nullish(),
    financial_status: keptText,
    fulfillment_status: keptText,
    email: text,
    contact_email: text,
    phone: text,
    customer: z.object({ email: text, phone: text }).nullish(),
    shipping_address: address,
    billing_address: address,
  })
  .refine((payload) => payload.id !== undefined || payload.admin_graphql_api_id !== undefined, {
    path: ['id'],
    message: 'an order id is required',
  });
type ParsedPayload = z.infer<typeof orderPayloadSchema>;
export type OrderPayload = Omit<ParsedPayload, 'id'> & {
  /** the Shopify order id, exactly as Shopify issued it (digits, never a rounded number) */
  id: string;
};

export const channelFromSource = (sourceName: string | null | undefined): Channel => {
  const source = sourceName?.trim().toLowerCase();
  if (source === 'pos') return 'pos';
  if (source === 'web') return 'web';
  return 'other';
};

const present = (...values: Array<string | null | undefined>): boolean =>
  values.some((value) => typeof value === 'string' && value.trim() !== '');

/**
 * Presence flags as the Admin API re-read derives them too (see the adapter's `orderSelection`): an address counts
 * when the order has one, whatever its lines say, because its lines are protected customer data the monitor does
 * not ask for.
 */
export const dataFlags = (payload: Omit<OrderPayload, 'id'>): DataFlags => ({
  hasCustomer: payload.customer != null,
  hasEmail: present(payload.email, payload.contact_email, payload.customer?.email),
  hasPhone: present(
    payload.phone,
    payload.customer?.phone,
    payload.shipping_address?.phone,
    payload.billing_address?.phone,
  ),
  hasShippingAddress: payload.shipping_address != null,
  hasShippingPhone: present(payload.shipping_address?.phone),
  hasBillingAddress: payload.billing_address != null,
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

type JsonReviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/**
 * The top-level `id` as written in the body. Only needed when the payload has no `admin_graphql_api_id` and the id
 * does not fit a double; JSON.parse's source-text access (Node 21+) hands the reviver the literal digits.
 */
const literalTopLevelId = (body: string): string | undefined => {
  const sources = new WeakMap<object, string>();
  const parse = JSON.parse as (text: string, reviver: JsonReviver) => unknown;
  const root = parse(body, function (key, value, context) {
    if (key === 'id' && typeof value === 'number' && context?.source && typeof this === 'object' && this) {
      sources.set(this, context.source);
    }
    return value;
  });
  const digits = typeof root === 'object' && root ? sources.get(root) : undefined;
  return digits && /^\d+$/.test(digits) ? digits : undefined;
};

/**
 * The order id without losing digits: the gid Shopify puts beside the REST id first, then the id if it is a digit
 * string or a number that a double holds exactly, then the id's own digits from the body text.
 */
const losslessOrderId = (payload: ParsedPayload, body: string): string => {
  const fromGid = payload.admin_graphql_api_id
    ? orderGidPattern.exec(payload.admin_graphql_api_id)?.[1]
    : undefined;
  if (fromGid) return fromGid;
  const { id } = payload;
  if (typeof id === 'string') return id;
  if (id !== undefined && Number.isSafeInteger(id)) return String(id);
  const literal = literalTopLevelId(body);
  if (literal) return literal;
  throw new UnparseablePayloadError(
    'payload does not match the order schema (id: neither an Order gid nor an integer id)',
  );
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a raw webhook body (the bytes as delivered, or already-decoded text); throws UnparseablePayloadError
 * saying what is wrong, never echoing values.
 */
export const parseOrderPayload = (rawBody: string | Uint8Array): OrderPayload => {
  let body: string;
  if (typeof rawBody === 'string') {
    body = rawBody;
  } else {
    try {
      body = strictUtf8.decode(rawBody);
    } catch (error) {
      throw new UnparseablePayloadError('body is not valid UTF-8', { cause: error });
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new UnparseablePayloadError('body is not JSON', { cause: error });
  }
  const result = orderPayloadSchema.safeParse(json);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`);
    throw new UnparseablePayloadError(`payload does not match the order schema (${fields.join('; ')})`);
  }
  const id = losslessOrderId(result.data, body);
  if (!isShopifyOrderId(id)) {
    throw new UnparseablePayloadError('payload does not match the order schema (id: not a Shopify order id)');
  }
  return { ...result.data, id };
};
