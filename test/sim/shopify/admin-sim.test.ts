import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ShopifySim, startShopifySim } from './admin-sim.js';
import { buildOrderPayload } from './order-payload.js';
import { signWebhook } from './sign-webhook.js';

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
        'query One($id: ID!) { order(id: $id) { ref: legacyResourceId sourceName customer { __typename } } }',
      variables: { id: `gid://shopify/Order/${payload.id}` },
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { order: { ref: String(payload.id), sourceName: 'pos', customer: { __typename: 'Customer' } } },
      extensions: {
        cost: {
          requestedQueryCost: 2,
          actualQueryCost: 2,
          throttleStatus: { maximumAvailable: 50, currentlyAvailable: expect.any(Number), restoreRate: 1 },
        },
      },
    });
  });

  it('rejects a field the type does not have, like Shopify', async () => {
    const response = await post(sim, {
      query: '{ order(id: "gid://shopify/Order/1") { id creditCardNumber } }',
    });

    expect(await response.json()).toMatchObject({
      errors: [{ message: "Field 'creditCardNumber' doesn't exist on type 'Order'" }],
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
