import { randomInt } from 'node:crypto';

/**
 * Realistic Shopify order webhook payloads (REST shape, as `orders/create` and `orders/fulfilled` deliver them),
 * with fictitious personal data. Only a few fields matter to the monitor; the rest is there so parsing is tested
 * against what Shopify really sends.
 */
export interface OrderPayloadOptions {
  id?: number;
  name?: string;
  sourceName?: 'web' | 'pos' | 'shopify_draft_order' | string;
  createdAt?: string;
  updatedAt?: string;
  cancelledAt?: string | null;
  test?: boolean;
  financialStatus?: string;
  fulfillmentStatus?: string | null;
  withCustomer?: boolean;
  withPhone?: boolean;
  withShippingAddress?: boolean;
  email?: string | null;
  note?: string | null;
  lineItems?: number;
}

// Shopify never gives two orders one id. Random ids drawn independently did, now and then: 4,000 orders of a bench
// drew a pair about once in 125 runs, and the pair then looked like one order imported twice (two live HotWax orders,
// ambiguous, never in sync). A random start per process, then one after another: unique within a run, and runs on
// a kept data directory rarely meet.
const firstOrderId = randomInt(0, 500_000_000);
let ordersMade = 0;
export const nextOrderId = (): number => 5_000_000_000_000 + ((firstOrderId + ordersMade++) % 1_000_000_000);

export type OrderContactOptions = Pick<
  OrderPayloadOptions,
  'withCustomer' | 'withPhone' | 'withShippingAddress' | 'email'
>;

/**
 * The personal fields of an order payload (e-mail, phone, addresses, customer), fictitious. The Shopify simulator
 * reuses it to "fix the data in Shopify" the way a merchant would, e.g. add the missing phone.
 */
export const orderContactFields = (id: number, options: OrderContactOptions = {}) => {
  const withCustomer = options.withCustomer ?? true;
  const withPhone = options.withPhone ?? true;
  const withShipping = options.withShippingAddress ?? true;
  const phone = withPhone ? '+1 555-010-0199' : null;
  const address = {
    first_name: 'Ada',
    last_name: 'Example',
    address1: '1 Test Street',
    address2: null,
    city: 'Springfield',
    province: 'Oregon',
    country: 'United States',
    zip: '97403',
    phone,
    company: null,
    country_code: 'US',
    province_code: 'OR',
  };
  return {
    contact_email: options.email === undefined ? 'ada@example.com' : options.email,
    email: options.email === undefined ? 'ada@example.com' : (options.email ?? ''),
    phone,
    billing_address: withShipping ? address : null,
    shipping_address: withShipping ? address : null,
    customer: withCustomer
      ? {
          id: id + 7,
          email: 'ada@example.com',
          first_name: 'Ada',
          last_name: 'Example',
          phone,
          default_address: withShipping ? address : null,
        }
      : null,
  };
};

export const buildOrderPayload = (options: OrderPayloadOptions = {}): Record<string, unknown> => {
  const id = options.id ?? nextOrderId();
  const now = new Date().toISOString();
  const createdAt = options.createdAt ?? now;
  const contact = orderContactFields(id, options);
  const lineItems = Array.from({ length: options.lineItems ?? 2 }, (_, index) => ({
    id: id * 10 + index,
    admin_graphql_api_id: `gid://shopify/LineItem/${id * 10 + index}`,
    name: `Organic cotton tee ${index + 1}`,
    title: 'Organic cotton tee',
    sku: `TEE-${index + 1}`,
    quantity: 1,
    price: '25.00',
    fulfillment_status: options.fulfillmentStatus === 'fulfilled' ? 'fulfilled' : null,
    properties: [],
    tax_lines: [],
  }));
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    app_id: options.sourceName === 'pos' ? 129785 : 580111,
    browser_ip: null,
    buyer_accepts_marketing: false,
    cancel_reason: options.cancelledAt ? 'customer' : null,
    cancelled_at: options.cancelledAt ?? null,
    closed_at: null,
    confirmed: true,
    contact_email: contact.contact_email,
    created_at: createdAt,
    currency: 'USD',
    current_total_price: '50.00',
    email: contact.email,
    financial_status: options.financialStatus ?? 'paid',
    fulfillment_status: options.fulfillmentStatus ?? null,
    name: options.name ?? `#${1000 + (id % 9000)}`,
    note: options.note ?? null,
    number: id % 100_000,
    order_number: 1000 + (id % 9000),
    phone: contact.phone,
    processed_at: createdAt,
    source_name: options.sourceName ?? 'web',
    tags: '',
    test: options.test ?? false,
    total_price: '50.00',
    updated_at: options.updatedAt ?? createdAt,
    billing_address: contact.billing_address,
    shipping_address: contact.shipping_address,
    customer: contact.customer,
    line_items: lineItems,
    fulfillments: [],
    refunds: [],
    shipping_lines: [],
  };
};
