/**
 * The simulator stores orders in the REST shape webhooks deliver (`buildOrderPayload`) and answers GraphQL from
 * them, converting field names and enums the way the Admin GraphQL API presents the same order.
 */

export type RestOrder = Record<string, unknown>;

type RestAddress = Record<string, string | null | undefined> | null | undefined;

/** GraphQL's DateTime: ISO 8601 in UTC, without milliseconds when there are none (as Shopify prints it). */
export const graphqlDateTime = (value: unknown): string | null => {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
};

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

const displayFulfillmentStatus = (status: unknown): string => {
  switch (status) {
    case 'fulfilled':
      return 'FULFILLED';
    case 'partial':
      return 'PARTIALLY_FULFILLED';
    case 'restocked':
      return 'RESTOCKED';
    default:
      return 'UNFULFILLED';
  }
};

const mailingAddress = (address: RestAddress, gid: string) =>
  address
    ? {
        __typename: 'MailingAddress',
        id: gid,
        firstName: text(address.first_name),
        lastName: text(address.last_name),
        name: [address.first_name, address.last_name].filter(Boolean).join(' ') || null,
        company: text(address.company),
        address1: text(address.address1),
        address2: text(address.address2),
        city: text(address.city),
        province: text(address.province),
        provinceCode: text(address.province_code),
        country: text(address.country),
        countryCodeV2: text(address.country_code),
        zip: text(address.zip),
        phone: text(address.phone),
      }
    : null;

export interface ConnectionArgs {
  first?: unknown;
  last?: unknown;
  after?: unknown;
}

/** A connection page over items already in order; cursors are opaque base64, as Shopify's are. */
export const connection = <T>(
  typeName: string,
  items: readonly T[],
  args: ConnectionArgs,
  cursorOf: (item: T) => string,
) => {
  const size =
    typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : items.length;
  let start = 0;
  if (typeof args.after === 'string') {
    const index = items.findIndex((item) => cursorOf(item) === args.after);
    start = index + 1;
  }
  const page = items.slice(start, start + size);
  const edges = page.map((node) => ({ __typename: `${typeName}Edge`, cursor: cursorOf(node), node }));
  return {
    __typename: `${typeName}Connection`,
    nodes: page,
    edges,
    pageInfo: {
      __typename: 'PageInfo',
      hasNextPage: start + page.length < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
};

export const encodeCursor = (value: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(value)).toString('base64');

/** The Admin GraphQL `Order` for a stored REST order (a generous subset of its fields). */
export const toGraphqlOrder = (rest: RestOrder): Record<string, unknown> => {
  const id = String(rest.id);
  const customer = rest.customer as Record<string, unknown> | null | undefined;
  const lineItems = Array.isArray(rest.line_items) ? (rest.line_items as Array<Record<string, unknown>>) : [];
  return {
    __typename: 'Order',
    id: `gid://shopify/Order/${id}`,
    legacyResourceId: id,
    name: rest.name ?? null,
    createdAt: graphqlDateTime(rest.created_at),
    updatedAt: graphqlDateTime(rest.updated_at),
    processedAt: graphqlDateTime(rest.processed_at ?? rest.created_at),
    cancelledAt: graphqlDateTime(rest.cancelled_at),
    cancelReason: typeof rest.cancel_reason === 'string' ? rest.cancel_reason.toUpperCase() : null,
    closed: rest.closed_at != null,
    closedAt: graphqlDateTime(rest.closed_at),
    confirmed: rest.confirmed ?? true,
    test: rest.test === true,
    sourceName: text(rest.source_name),
    displayFinancialStatus:
      typeof rest.financial_status === 'string' ? rest.financial_status.toUpperCase() : null,
    displayFulfillmentStatus: displayFulfillmentStatus(rest.fulfillment_status),
    email: text(rest.email) ?? text(rest.contact_email),
    // Shopify: true when the customer has a valid e-mail address the order's notifications can go to.
    canNotifyCustomer: /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text(rest.email) ?? text(rest.contact_email) ?? ''),
    phone: text(rest.phone),
    note: text(rest.note),
    tags:
      typeof rest.tags === 'string' && rest.tags !== '' ? rest.tags.split(',').map((tag) => tag.trim()) : [],
    currencyCode: rest.currency ?? 'USD',
    customer: customer
      ? {
          __typename: 'Customer',
          id: `gid://shopify/Customer/${String(customer.id)}`,
          legacyResourceId: String(customer.id),
          firstName: text(customer.first_name),
          lastName: text(customer.last_name),
          displayName: [customer.first_name, customer.last_name].filter(Boolean).join(' ') || null,
          email: text(customer.email),
          phone: text(customer.phone),
          defaultEmailAddress: text(customer.email)
            ? { __typename: 'CustomerEmailAddress', emailAddress: customer.email }
            : null,
          defaultPhoneNumber: text(customer.phone)
            ? { __typename: 'CustomerPhoneNumber', phoneNumber: customer.phone }
            : null,
          defaultAddress: mailingAddress(
            customer.default_address as RestAddress,
            `gid://shopify/MailingAddress/${String(customer.id)}`,
          ),
        }
      : null,
    shippingAddress: mailingAddress(
      rest.shipping_address as RestAddress,
      `gid://shopify/MailingAddress/${id}1`,
    ),
    billingAddress: mailingAddress(
      rest.billing_address as RestAddress,
      `gid://shopify/MailingAddress/${id}2`,
    ),
    lineItems: (args: ConnectionArgs) =>
      connection(
        'LineItem',
        lineItems.map((item) => ({
          __typename: 'LineItem',
          id: `gid://shopify/LineItem/${String(item.id)}`,
          name: item.name ?? null,
          title: item.title ?? null,
          sku: item.sku ?? null,
          quantity: item.quantity ?? 1,
        })),
        args,
        (item) => encodeCursor({ last_id: item.id }),
      ),
  };
};
