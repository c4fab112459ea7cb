/**
 * What a Shopify order id is, for every edge that takes one (the webhook, the API route, check messages, the CLI):
 * the REST id as its digits. Shopify's ids are unsigned 64-bit integers (GraphQL's `UnsignedInt64`), so at most 20
 * digits; an id the webhook records is one the API reads back, and nothing longer ever becomes a table key.
 */
const maxUnsignedInt64 = 18_446_744_073_709_551_615n;

export const isShopifyOrderId = (value: string): boolean =>
  /^\d{1,20}$/.test(value) && BigInt(value) > 0n && BigInt(value) <= maxUnsignedInt64;

export const shopifyOrderIdRule =
  'must be the numeric Shopify order id (the number at the end of its admin URL, at most 20 digits)';
