import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ShopifySim, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload } from '../../sim/shopify/order-payload.js';
import { signWebhook } from '../../sim/shopify/sign-webhook.js';

const secret = 'whsec_simulated_client_secret';

/** A stand-in for the monitor's webhook endpoint that records what arrives. */
const startReceiver = async () => {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/shopify`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const post = (sim: ShopifySim, body: unknown, token: string | undefined = sim.accessToken) =>
  fetch(`${sim.url}/admin/api/2026-10/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { 'x-shopify-access-token': token }) },
    body: JSON.stringify(body),
  });

describe('the Shopify simulator emitting webhooks', () => {
  let sim: ShopifySim;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    sim = await startShopifySim({ shop: 'acme.myshopify.com' });
    receiver = await startReceiver();
    sim.emitWebhooksTo({ url: receiver.url, secret });
  });
  afterAll(async () => {
    await sim.stop();
    await receiver.stop();
  });

  it('delivers a signed orders/create when an order is added and orders/fulfilled when it is fulfilled', async () => {
    const payload = buildOrderPayload();
    receiver.received.length = 0;

    await sim.addOrder(payload);
    await sim.fulfillOrder(String(payload.id));

    expect(receiver.received.map((delivery) => delivery.headers['x-shopify-topic'])).toEqual([
      'orders/create',
      'orders/fulfilled',
    ]);
    for (const { headers, body } of receiver.received) {
      expect(headers['x-shopify-hmac-sha256']).toBe(signWebhook(body, secret));
      expect(headers['x-shopify-shop-domain']).toBe('acme.myshopify.com');
      expect(JSON.parse(body).id).toBe(payload.id);
    }
    expect(JSON.parse(receiver.received[1]?.body ?? '{}').fulfillment_status).toBe('fulfilled');
  });

  it('loses the deliveries of orders marked dropped', async () => {
    const lost = buildOrderPayload();
    const kept = buildOrderPayload();
    receiver.received.length = 0;
    sim.dropWebhooksFor([String(lost.id)]);

    const lostResults = await sim.addOrder(lost);
    await sim.addOrder(kept);

    expect(lostResults).toEqual([expect.objectContaining({ topic: 'orders/create', dropped: true })]);
    expect(receiver.received.map(({ body }) => JSON.parse(body).id)).toEqual([kept.id]);
    expect(sim.getOrder(String(lost.id))).toBeDefined();
  });

  it('stops delivering a topic whose subscription was deleted', async () => {
    const created = sim
      .listWebhookSubscriptions()
      .find((subscription) => subscription.topic === 'ORDERS_CREATE');
    sim.deleteWebhookSubscription(created?.id ?? '');
    receiver.received.length = 0;

    await sim.addOrder(buildOrderPayload());

    expect(receiver.received).toEqual([]);
    sim.createWebhookSubscription('ORDERS_CREATE', receiver.url);
  });
});

describe('the Shopify simulator speaking Admin GraphQL', () => {
  let sim: ShopifySim;
  beforeAll(async () => {
    sim = await startShopifySim({ bucketSize: 50, restoreRate: 1 });
  });
  afterAll(() => sim.stop());

  it('answers with exactly the fields requested, aliases included, and the cost', async () => {
    const payload = buildOrderPayload({ sourceName: 'pos' });
    await sim.addOrder(payload);

    const response = await post(sim, {
      query:
        'query One($id: ID!) { order(id: $id) { ref: legacyResourceId sourceName shippingAddress { __typename } } }',
      variables: { id: `gid://shopify/Order/${payload.id}` },
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: {
        order: {
          ref: String(payload.id),
          sourceName: 'pos',
          shippingAddress: { __typename: 'MailingAddress' },
        },
      },
      extensions: {
        cost: {
          requestedQueryCost: 2,
          actualQueryCost: 2,
          throttleStatus: { maximumAvailable: 50, currentlyAvailable: expect.any(Number), restoreRate: 1 },
        },
      },
    });
  });

  it('answers fragments and __typename as GraphQL defines them', async () => {
    const payload = buildOrderPayload();
    await sim.addOrder(payload);

    const response = await post(sim, {
      query:
        'query F($id: ID!) { order(id: $id) { ...Basics } } fragment Basics on Order { __typename name test }',
      variables: { id: `gid://shopify/Order/${payload.id}` },
    });

    expect(((await response.json()) as { data: unknown }).data).toEqual({
      order: { __typename: 'Order', name: payload.name, test: false },
    });
  });

  it('costs a connection by its page size, and charges for the nodes it returned', async () => {
    const response = await post(sim, {
      query:
        '{ orders(first: 10) { edges { node { ...F } } } } fragment F on Order { id shippingAddress { phone } }',
    });
    const answer = (await response.json()) as {
      data: { orders: { edges: unknown[] } };
      extensions: { cost: { requestedQueryCost: number; actualQueryCost: number } };
    };

    const returned = answer.data.orders.edges.length;
    expect(returned).toBeGreaterThan(0);
    expect(answer.extensions.cost).toMatchObject({
      requestedQueryCost: 2 + 10 * (1 + 1),
      actualQueryCost: 2 + returned * (1 + 1),
    });
  });

  it('answers 401 without a valid access token', async () => {
    const response = await post(sim, { query: '{ shop { name } }' }, 'shpat_wrong');

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      errors: expect.stringContaining('Invalid API key or access token'),
    });
  });

  it('answers THROTTLED with the bucket when a query costs more than is available', async () => {
    const response = await post(sim, { query: '{ orders(first: 250) { nodes { id } } }' });

    expect(await response.json()).toEqual({
      errors: [
        { message: 'Throttled', extensions: { code: 'THROTTLED', documentation: expect.any(String) } },
      ],
      extensions: {
        cost: {
          requestedQueryCost: 252,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 50, currentlyAvailable: expect.any(Number), restoreRate: 1 },
        },
      },
    });
  });
});

/** One refused request: HTTP 200, no data, and Shopify's error. */
const refusal = async (sim: ShopifySim, body: unknown) => {
  const response = await post(sim, body);
  const answer = (await response.json()) as { data?: unknown; errors: Array<Record<string, unknown>> };
  expect(response.status).toBe(200);
  expect(answer.data).toBeUndefined();
  return answer.errors;
};

describe('the Shopify simulator refusing what Shopify refuses', () => {
  let sim: ShopifySim;
  const gid = 'gid://shopify/Order/5000000000001';
  beforeAll(async () => {
    sim = await startShopifySim();
    await sim.addOrder(buildOrderPayload({ id: 5_000_000_000_001 }));
  });
  afterAll(() => sim.stop());

  it('refuses a field the type does not have (undefinedField)', async () => {
    expect(await refusal(sim, { query: `{ order(id: "${gid}") { id creditCardNumber } }` })).toEqual([
      {
        message: "Field 'creditCardNumber' doesn't exist on type 'Order'",
        locations: [{ line: 1, column: 55 }],
        path: ['query', 'order', 'creditCardNumber'],
        extensions: { code: 'undefinedField', typeName: 'Order', fieldName: 'creditCardNumber' },
      },
    ]);
  });

  it('refuses an argument the field does not take (argumentNotAccepted)', async () => {
    const errors = await refusal(sim, {
      query: 'query Page { orders(first: 5, status: "open") { nodes { id } } }',
    });
    expect(errors).toEqual([
      {
        message: "Field 'orders' doesn't accept argument 'status'",
        locations: [{ line: 1, column: 31 }],
        path: ['query Page', 'orders', 'status'],
        extensions: {
          code: 'argumentNotAccepted',
          name: 'orders',
          typeName: 'Field',
          argumentName: 'status',
        },
      },
    ]);
  });

  it('refuses a field without its required arguments (missingRequiredArguments)', async () => {
    expect(await refusal(sim, { query: 'query One { order { id } }' })).toEqual([
      {
        message: "Field 'order' is missing required arguments: id",
        locations: [{ line: 1, column: 13 }],
        path: ['query One', 'order'],
        extensions: { code: 'missingRequiredArguments', className: 'Field', name: 'order', arguments: 'id' },
      },
    ]);
  });

  it('refuses a variable declared with the wrong type for its argument (variableMismatch)', async () => {
    const errors = await refusal(sim, {
      query: 'query Page($first: String!) { orders(first: $first) { nodes { id } } }',
      variables: { first: '5' },
    });
    expect(errors).toEqual([
      {
        message: 'Type mismatch on variable $first and argument first (String! / Int)',
        locations: [{ line: 1, column: 38 }],
        path: ['query Page', 'orders', 'first'],
        extensions: {
          code: 'variableMismatch',
          variableName: 'first',
          typeName: 'String!',
          argumentName: 'first',
          errorMessage: 'Type mismatch',
        },
      },
    ]);
  });

  it('refuses a variable value of the wrong type (INVALID_VARIABLE)', async () => {
    const errors = await refusal(sim, {
      query: 'query Page($first: Int!) { orders(first: $first) { nodes { id } } }',
      variables: { first: 'ten' },
    });
    expect(errors).toEqual([
      {
        message: 'Variable $first of type Int! was provided invalid value',
        locations: [{ line: 1, column: 12 }],
        extensions: {
          code: 'INVALID_VARIABLE',
          value: 'ten',
          problems: [{ path: [], explanation: 'Could not coerce value "ten" to Int' }],
        },
      },
    ]);
  });

  it('refuses a required variable that was not sent', async () => {
    const errors = await refusal(sim, { query: 'query One($id: ID!) { order(id: $id) { id } }' });
    expect(errors).toMatchObject([
      {
        message: 'Variable $id of type ID! was provided invalid value',
        extensions: {
          code: 'INVALID_VARIABLE',
          value: null,
          problems: [{ path: [], explanation: 'Expected value to not be null' }],
        },
      },
    ]);
  });

  it('refuses a bare number where Shopify wants a global id', async () => {
    const errors = await refusal(sim, {
      query: 'query One($id: ID!) { order(id: $id) { id } }',
      variables: { id: '5000000000001' },
    });
    expect(errors).toMatchObject([
      {
        extensions: {
          code: 'INVALID_VARIABLE',
          problems: [{ path: [], explanation: 'Invalid global id `5000000000001`' }],
        },
      },
    ]);
  });

  it('refuses an unknown enum value, written in the query or sent as a variable', async () => {
    const literal = await refusal(sim, { query: '{ orders(first: 5, sortKey: NEWEST) { nodes { id } } }' });
    expect(literal).toEqual([
      {
        message:
          "Argument 'sortKey' on Field 'orders' has an invalid value (NEWEST). Expected type 'OrderSortKeys'.",
        locations: [{ line: 1, column: 20 }],
        path: ['query', 'orders', 'sortKey'],
        extensions: { code: 'argumentLiteralsIncompatible', typeName: 'Field', argumentName: 'sortKey' },
      },
    ]);

    const variable = await refusal(sim, {
      query:
        'query Subs($topics: [WebhookSubscriptionTopic!]) { webhookSubscriptions(first: 5, topics: $topics) { nodes { id } } }',
      variables: { topics: ['ORDERS_CREATE', 'ORDER_CREATED'] },
    });
    expect(variable).toMatchObject([
      {
        message: expect.stringMatching(
          /^Variable \$topics of type \[WebhookSubscriptionTopic!\] was provided invalid value for 1 \(Expected "ORDER_CREATED" to be one of: /,
        ),
        extensions: {
          code: 'INVALID_VARIABLE',
          value: ['ORDERS_CREATE', 'ORDER_CREATED'],
          problems: [
            {
              path: [1],
              explanation: expect.stringMatching(/^Expected "ORDER_CREATED" to be one of: .*ORDERS_CREATE/),
            },
          ],
        },
      },
    ]);
  });

  it('refuses an unknown input field, written in the query or sent as a variable', async () => {
    const literal = await refusal(sim, {
      query:
        'mutation Sub { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: { uri: "https://example.com/hook", secret: "x" }) { userErrors { message } } }',
    });
    expect(literal).toMatchObject([
      {
        message: "InputObject 'WebhookSubscriptionInput' doesn't accept argument 'secret'",
        path: ['mutation Sub', 'webhookSubscriptionCreate', 'webhookSubscription', 'secret'],
        extensions: {
          code: 'argumentNotAccepted',
          name: 'WebhookSubscriptionInput',
          typeName: 'InputObject',
          argumentName: 'secret',
        },
      },
    ]);

    const variable = await refusal(sim, {
      query:
        'mutation Sub($input: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: $input) { userErrors { message } } }',
      variables: { input: { uri: 'https://example.com/hook', secret: 'x' } },
    });
    expect(variable).toMatchObject([
      {
        message:
          'Variable $input of type WebhookSubscriptionInput! was provided invalid value for secret (Field is not defined on WebhookSubscriptionInput)',
        extensions: {
          code: 'INVALID_VARIABLE',
          problems: [{ path: ['secret'], explanation: 'Field is not defined on WebhookSubscriptionInput' }],
        },
      },
    ]);
    expect(sim.listWebhookSubscriptions()).toEqual([]);
  });

  it('refuses a document that does not parse', async () => {
    const errors = await refusal(sim, { query: '{ order(id: "x") { id }' });
    expect(errors).toEqual([
      { message: expect.stringContaining('Syntax Error'), locations: [{ line: 1, column: 24 }] },
    ]);
  });
});

describe('the Shopify simulator enforcing access scopes per token', () => {
  let sim: ShopifySim;
  const gid = 'gid://shopify/Order/5000000000002';
  beforeAll(async () => {
    sim = await startShopifySim();
    await sim.addOrder(buildOrderPayload({ id: 5_000_000_000_002 }));
    sim.issueAccessToken('shpat_no_orders', { scopes: [] });
    sim.issueAccessToken('shpat_no_phone', { scopes: ['read_orders'], protectedCustomerData: [] });
    sim.issueAccessToken('shpat_everything', {
      scopes: ['write_orders', 'read_customers'],
      protectedCustomerData: ['name', 'email', 'phone', 'address'],
    });
  });
  afterAll(() => sim.stop());

  const ask = async (token: string, query: string) =>
    (await (await post(sim, { query }, token)).json()) as { data: unknown; errors?: unknown[] };

  it('denies the customer to a token without read_customers, with the rest of the order', async () => {
    const answer = await ask(sim.accessToken, `{ order(id: "${gid}") { name customer { id } } }`);

    expect(answer).toMatchObject({
      data: { order: { name: expect.any(String), customer: null } },
      errors: [
        {
          message: 'Access denied for customer field. Required access: `read_customers` access scope.',
          locations: [{ line: 1, column: 57 }],
          path: ['order', 'customer'],
          extensions: {
            code: 'ACCESS_DENIED',
            documentation: 'https://shopify.dev/api/usage/access-scopes',
            requiredAccess: '`read_customers` access scope.',
          },
        },
      ],
    });
  });

  it('denies orders to a token without read_orders', async () => {
    const answer = await ask('shpat_no_orders', '{ orders(first: 5) { nodes { id } } }');

    expect(answer).toMatchObject({
      data: null,
      errors: [
        {
          message: expect.stringMatching(
            /^Access denied for orders field\. Required access: `read_orders` access scope/,
          ),
          path: ['orders'],
          extensions: { code: 'ACCESS_DENIED', requiredAccess: expect.stringContaining('`read_orders`') },
        },
      ],
    });
  });

  it('denies a protected customer field the app is not approved for', async () => {
    const answer = await ask('shpat_no_phone', `{ order(id: "${gid}") { name phone } }`);

    expect(answer).toMatchObject({
      data: { order: { name: expect.any(String), phone: null } },
      errors: [{ path: ['order', 'phone'], extensions: { code: 'ACCESS_DENIED' } }],
    });
  });

  it('lets a write scope read and answers the token its own scopes', async () => {
    const answer = await ask(
      'shpat_everything',
      `{ order(id: "${gid}") { customer { id } } currentAppInstallation { accessScopes { handle } } }`,
    );

    expect(answer.errors).toBeUndefined();
    expect(answer.data).toMatchObject({
      currentAppInstallation: { accessScopes: [{ handle: 'write_orders' }, { handle: 'read_customers' }] },
    });
  });
});
