import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyAdmin, type ShopifyAdminOptions } from '../../shared/adapters/shopify/admin-client.js';
import {
  ShopifyAccessDeniedError,
  ShopifyApiError,
  ShopifyAuthError,
  ShopifyThrottledError,
  ShopifyTimeoutError,
} from '../../shared/adapters/shopify/admin-errors.js';
import { type ShopifySim, type ShopifySimOptions, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload } from '../../sim/shopify/order-payload.js';

const sims: ShopifySim[] = [];
const startSim = async (options: ShopifySimOptions = {}) => {
  const sim = await startShopifySim({ shop: 'acme.myshopify.com', ...options });
  sims.push(sim);
  return sim;
};
afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.stop()));
});

const adminFor = (sim: ShopifySim, options: Partial<ShopifyAdminOptions> = {}) =>
  createShopifyAdmin({
    shop: sim.shop,
    accessToken: sim.accessToken,
    apiVersion: '2026-10',
    adminUrl: sim.url,
    timeoutMs: 5_000,
    throttle: { baseDelayMs: 5, maxDelayMs: 1_000 },
    ...options,
  });

const personalValues = ['ada@example.com', '555-010-0199', '1 Test Street', 'Ada', 'Example', '97403'];

describe('the Shopify Admin client re-reading an order', () => {
  let sim: ShopifySim;
  beforeAll(async () => {
    sim = await startSim();
  });

  it('reads a web order as a snapshot with presence flags and no personal data', async () => {
    const payload = buildOrderPayload({ sourceName: 'web', financialStatus: 'paid' });
    await sim.addOrder(payload);

    const snapshot = await adminFor(sim).getOrder(String(payload.id));

    expect(snapshot).toEqual({
      orderId: String(payload.id),
      orderName: payload.name,
      channel: 'web',
      sourceName: 'web',
      createdAt: Date.parse(String(payload.created_at)),
      updatedAt: Date.parse(String(payload.updated_at)),
      cancelledAt: null,
      test: false,
      financialStatus: 'paid',
      fulfillmentStatus: null,
      displayFinancialStatus: 'PAID',
      displayFulfillmentStatus: 'UNFULFILLED',
      flags: {
        hasEmail: true,
        hasPhone: true,
        hasShippingAddress: true,
        hasShippingPhone: true,
        hasBillingAddress: true,
      },
    });
    const stored = JSON.stringify(snapshot);
    for (const value of personalValues) expect(stored).not.toContain(value);
  });

  it('reads a POS walk-in order without customer or addresses as all flags false', async () => {
    const payload = buildOrderPayload({
      sourceName: 'pos',
      withCustomer: false,
      withShippingAddress: false,
      withPhone: false,
      email: null,
      fulfillmentStatus: 'fulfilled',
    });
    await sim.addOrder(payload);

    const snapshot = await adminFor(sim).getOrder(`gid://shopify/Order/${payload.id}`);

    expect(snapshot).toMatchObject({
      orderId: String(payload.id),
      channel: 'pos',
      fulfillmentStatus: 'fulfilled',
      displayFulfillmentStatus: 'FULFILLED',
      flags: {
        hasEmail: false,
        hasPhone: false,
        hasShippingAddress: false,
        hasShippingPhone: false,
        hasBillingAddress: false,
      },
    });
  });

  it('maps draft-order and app sources to the other channel', async () => {
    const payload = buildOrderPayload({ sourceName: 'shopify_draft_order' });
    await sim.addOrder(payload);

    expect(await adminFor(sim).getOrder(String(payload.id))).toMatchObject({
      channel: 'other',
      sourceName: 'shopify_draft_order',
    });
  });

  it('returns null for an order Shopify does not have', async () => {
    expect(await adminFor(sim).getOrder('4999999999999')).toBeNull();
  });

  it('sees the merchant add the missing phone, with a later updatedAt', async () => {
    const payload = buildOrderPayload({ withPhone: false });
    await sim.addOrder(payload);
    const admin = adminFor(sim);
    const before = await admin.getOrder(String(payload.id));

    await sim.fixOrderData(String(payload.id), { withPhone: true });
    const after = await admin.getOrder(String(payload.id));

    expect(before?.flags).toMatchObject({ hasPhone: false, hasShippingPhone: false });
    expect(after?.flags).toMatchObject({ hasPhone: true, hasShippingPhone: true });
    expect(after?.updatedAt).toBeGreaterThan(before?.updatedAt ?? Number.POSITIVE_INFINITY);
  });

  it('sees fulfilment and cancellation made in Shopify', async () => {
    const fulfilled = buildOrderPayload({ sourceName: 'pos' });
    const cancelled = buildOrderPayload();
    await sim.addOrder(fulfilled);
    await sim.addOrder(cancelled);
    await sim.fulfillOrder(String(fulfilled.id));
    await sim.cancelOrder(String(cancelled.id));
    const admin = adminFor(sim);

    expect(await admin.getOrder(String(fulfilled.id))).toMatchObject({
      fulfillmentStatus: 'fulfilled',
      displayFulfillmentStatus: 'FULFILLED',
    });
    expect((await admin.getOrder(String(cancelled.id)))?.cancelledAt).toEqual(expect.any(Number));
  });

  it('refuses an id that is not a Shopify order id without calling Shopify', async () => {
    const calls = sim.callCount();
    await expect(adminFor(sim).getOrder('#1001')).rejects.toMatchObject({
      name: 'ShopifyApiError',
      transient: false,
    });
    expect(sim.callCount()).toBe(calls);
  });

  it('links to the order in Shopify admin', () => {
    expect(adminFor(sim).orderUrl('5000000000123')).toBe(
      'https://admin.shopify.com/store/acme/orders/5000000000123',
    );
  });
});

describe('the Shopify Admin client listing orders updated in a window', () => {
  const windowStart = Date.parse('2026-11-02T10:00:00Z');
  const windowEnd = Date.parse('2026-11-02T11:00:00Z');
  const at = (ms: number) => new Date(ms).toISOString();

  const seed = async (sim: ShopifySim, count: number) => {
    const inside: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const updatedAt = at(windowStart + Math.floor((index * (windowEnd - windowStart)) / count));
      const payload = buildOrderPayload({
        id: 5_100_000_000_000 + index,
        createdAt: at(windowStart - 86_400_000),
        updatedAt,
      });
      inside.push(String(payload.id));
      await sim.addOrder(payload);
    }
    for (const updatedAt of [windowStart - 1_000, windowEnd, windowEnd + 60_000]) {
      await sim.addOrder(buildOrderPayload({ createdAt: at(updatedAt), updatedAt: at(updatedAt) }));
    }
    return inside;
  };

  const readAll = async (admin: ReturnType<typeof adminFor>, pageSize: number) => {
    const seen: Array<{ orderId: string; updatedAt: number }> = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await admin.listOrdersUpdated({ from: windowStart, to: windowEnd, after, pageSize });
      pages += 1;
      seen.push(...page.orders.map(({ orderId, updatedAt }) => ({ orderId, updatedAt })));
      if (!page.hasNextPage) return { seen, pages };
      after = page.endCursor;
    }
  };

  it('pages through 600 orders updated in the window, oldest update first, and nothing outside it', async () => {
    const sim = await startSim({ bucketSize: 50_000, restoreRate: 10_000 });
    const inside = await seed(sim, 600);

    const { seen, pages } = await readAll(adminFor(sim), 250);

    expect(pages).toBe(3);
    expect(seen.map((order) => order.orderId).sort()).toEqual([...inside].sort());
    const times = seen.map((order) => order.updatedAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('reports each page cost and the bucket after it', async () => {
    const sim = await startSim();
    await seed(sim, 3);

    const page = await adminFor(sim).listOrdersUpdated({ from: windowStart, to: windowEnd, pageSize: 50 });

    expect(page.orders).toHaveLength(3);
    expect(page.cost).toMatchObject({
      requested: expect.any(Number),
      actual: expect.any(Number),
      throttleStatus: { maximumAvailable: 2000, restoreRate: 100, currentlyAvailable: expect.any(Number) },
    });
    expect(page.cost?.actual).toBeLessThan(page.cost?.requested ?? 0);
  });

  it('waits for the bucket to refill instead of being throttled', async () => {
    // A page of 100 costs about 300 points: three pages drain a 500-point bucket unless the client waits.
    const sim = await startSim({ bucketSize: 500, restoreRate: 1_000 });
    const inside = await seed(sim, 300);

    const { seen } = await readAll(adminFor(sim), 100);

    expect(seen).toHaveLength(inside.length);
    expect(sim.throttledCount()).toBe(0);
    expect(sim.totalQueryCost()).toBeGreaterThan(500);
  });

  it('backs off on THROTTLED and completes the sweep', async () => {
    const sim = await startSim({ bucketSize: 50_000, restoreRate: 10_000 });
    const inside = await seed(sim, 120);
    const admin = adminFor(sim);

    const first = await admin.listOrdersUpdated({ from: windowStart, to: windowEnd, pageSize: 50 });
    sim.throttleNext(2);
    const second = await admin.listOrdersUpdated({
      from: windowStart,
      to: windowEnd,
      after: first.endCursor,
      pageSize: 50,
    });

    expect(second.orders).toHaveLength(50);
    expect(second.orders[0]?.orderId).toBe(inside[50]);
    expect(sim.throttledCount()).toBe(2);
  });

  it('gives up with a transient ShopifyThrottledError when Shopify keeps throttling', async () => {
    const sim = await startSim();
    sim.throttleNext(10);

    const failure = await adminFor(sim, { throttle: { maxRetries: 2, baseDelayMs: 5 } })
      .listOrdersUpdated({ from: windowStart, to: windowEnd, pageSize: 10 })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ShopifyThrottledError);
    expect(failure).toMatchObject({ transient: true, attempts: 3, codes: ['THROTTLED'] });
    expect(sim.callCount()).toBe(3);
  });

  it('refuses a page size Shopify would refuse', async () => {
    const sim = await startSim();
    await expect(
      adminFor(sim).listOrdersUpdated({ from: windowStart, to: windowEnd, pageSize: 251 }),
    ).rejects.toBeInstanceOf(RangeError);
  });
});

describe('the Shopify Admin client and webhook subscriptions', () => {
  let sim: ShopifySim;
  beforeAll(async () => {
    sim = await startSim();
  });

  it('lists the subscriptions of the monitored topics only', async () => {
    sim.createWebhookSubscription('ORDERS_CREATE', 'https://monitor.example.com/webhooks/shopify');
    sim.createWebhookSubscription('ORDERS_UPDATED', 'https://other-app.example.com/hooks');

    const subscriptions = await adminFor(sim).listWebhookSubscriptions();

    expect(subscriptions).toEqual([
      {
        id: expect.stringMatching(/^gid:\/\/shopify\/WebhookSubscription\/\d+$/),
        topic: 'ORDERS_CREATE',
        callbackUrl: 'https://monitor.example.com/webhooks/shopify',
      },
    ]);
  });

  it('creates a missing subscription that Shopify then lists', async () => {
    const admin = adminFor(sim);

    const created = await admin.createWebhookSubscription(
      'ORDERS_FULFILLED',
      'https://monitor.example.com/webhooks/shopify',
    );

    expect(created).toMatchObject({
      topic: 'ORDERS_FULFILLED',
      callbackUrl: 'https://monitor.example.com/webhooks/shopify',
    });
    expect(sim.listWebhookSubscriptions()).toContainEqual(expect.objectContaining({ id: created.id }));
    expect((await admin.listWebhookSubscriptions()).map((subscription) => subscription.topic).sort()).toEqual(
      ['ORDERS_CREATE', 'ORDERS_FULFILLED'],
    );
  });

  it("reports Shopify's user error when the subscription already exists", async () => {
    const failure = await adminFor(sim)
      .createWebhookSubscription('ORDERS_CREATE', 'https://monitor.example.com/webhooks/shopify')
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ShopifyApiError);
    expect(failure).toMatchObject({
      transient: false,
      message: expect.stringContaining('already been taken'),
    });
  });
});

describe('the Shopify Admin client when things go wrong', () => {
  let sim: ShopifySim;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterEach(() => {
    sim.setAccessToken('shpat_simulator');
    sim.setLatency(0);
  });

  it('raises a non-transient ShopifyAuthError for a bad token, without the token in it', async () => {
    const token = 'shpat_0123456789abcdef_not_the_right_one';

    const failure = await adminFor(sim, { accessToken: token })
      .getOrder('5000000000001')
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ShopifyAuthError);
    expect(failure).toMatchObject({ transient: false, status: 401 });
    expect(inspect(failure, { depth: 8 })).not.toContain(token);
    expect(JSON.stringify(failure)).not.toContain(token);
  });

  it('raises ShopifyAuthError once the token expires', async () => {
    const admin = adminFor(sim);
    await admin.getOrder('5000000000001');

    sim.expireToken();

    await expect(admin.getOrder('5000000000001')).rejects.toBeInstanceOf(ShopifyAuthError);
  });

  it('raises a transient ShopifyApiError when Shopify answers 5xx', async () => {
    sim.failNext(1, 503);

    const failure = await adminFor(sim)
      .getOrder('5000000000001')
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ShopifyApiError);
    expect(failure).toMatchObject({ transient: true, status: 503 });
  });

  it('raises a transient ShopifyTimeoutError when Shopify does not answer in time', async () => {
    sim.setLatency(2_000);

    const failure = await adminFor(sim, { timeoutMs: 50 })
      .getOrder('5000000000001')
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ShopifyTimeoutError);
    expect(failure).toMatchObject({ transient: true, timeoutMs: 50 });
  });

  it('raises a transient error when Shopify cannot be reached', async () => {
    const gone = await startShopifySim();
    await gone.stop();

    const failure = await adminFor(gone)
      .getOrder('5000000000001')
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ShopifyApiError);
    expect(failure).toMatchObject({ transient: true });
  });
});

describe('the Shopify Admin client without the access it needs', () => {
  const warnings = () => {
    const said: Array<{ message: string; attributes?: Record<string, unknown> }> = [];
    return {
      said,
      logger: {
        warn: (message: string, attributes?: Record<string, unknown>) => said.push({ message, attributes }),
      },
    };
  };

  it('names the missing read_orders scope in one precise error, and says so once per process', async () => {
    const sim = await startSim({ shop: 'no-orders-scope.myshopify.com' });
    sim.issueAccessToken('shpat_without_orders', { scopes: [] });
    const { said, logger } = warnings();
    const admin = adminFor(sim, { accessToken: 'shpat_without_orders', logger });

    const failures = [
      await admin.getOrder('5000000000001').catch((error: unknown) => error),
      await admin.getOrder('5000000000002').catch((error: unknown) => error),
      await admin.listOrdersUpdated({ from: 0, to: 60_000, pageSize: 10 }).catch((error: unknown) => error),
    ];

    for (const failure of failures) {
      expect(failure).toBeInstanceOf(ShopifyAccessDeniedError);
      expect(failure).toBeInstanceOf(ShopifyAuthError);
      expect(failure).toMatchObject({
        transient: false,
        requiredScope: 'read_orders',
        codes: ['ACCESS_DENIED'],
        message: expect.stringContaining('the read_orders access scope'),
      });
    }
    expect((failures[0] as ShopifyAccessDeniedError).denial).toMatchObject({
      acceptedScopes: ['read_orders', 'read_marketplace_orders', 'read_quick_sale'],
      field: 'order',
    });
    expect(said).toEqual([
      {
        message: expect.stringContaining('read_orders'),
        attributes: expect.objectContaining({
          requiredScope: 'read_orders',
          shop: 'no-orders-scope.myshopify.com',
        }),
      },
    ]);
  });

  it('says when the app is not approved for the protected phone field it reads', async () => {
    const sim = await startSim({ shop: 'no-phone-access.myshopify.com' });
    sim.issueAccessToken('shpat_without_phone', { protectedCustomerData: [] });
    const payload = buildOrderPayload();
    await sim.addOrder(payload);

    const failure = await adminFor(sim, { accessToken: 'shpat_without_phone' })
      .getOrder(String(payload.id))
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ShopifyAccessDeniedError);
    expect(failure).toMatchObject({
      requiredScope: undefined,
      message: expect.stringContaining('protected customer data (needed for order.phone)'),
    });
  });

  it('needs nothing beyond the documented scopes: read_orders and protected phone access', async () => {
    const sim = await startSim({ access: { scopes: ['read_orders'], protectedCustomerData: ['phone'] } });
    const payload = buildOrderPayload();
    await sim.addOrder(payload);
    const admin = adminFor(sim);

    await admin.getOrder(String(payload.id));
    await admin.listOrdersUpdated({ from: 0, to: Date.now() + 60_000, pageSize: 10 });
    await admin.listWebhookSubscriptions();

    expect(sim.requests().flatMap((request) => request.errorCodes)).toEqual([]);
  });
});

describe('the Shopify Admin client pointed at a base URL', () => {
  it('sends POST /admin/api/<version>/graphql.json with the token to that base URL, per client', async () => {
    const first = await startSim();
    const second = await startSim();
    const onFirst = buildOrderPayload();
    const onSecond = buildOrderPayload();
    await first.addOrder(onFirst);
    await second.addOrder(onSecond);

    const [a, b] = [adminFor(first), adminFor(second)];
    const results = await Promise.all([
      a.getOrder(String(onFirst.id)),
      b.getOrder(String(onFirst.id)),
      b.getOrder(String(onSecond.id)),
    ]);

    expect(results.map((snapshot) => snapshot?.orderId ?? null)).toEqual([
      String(onFirst.id),
      null,
      String(onSecond.id),
    ]);
    expect(first.requests()).toEqual([
      expect.objectContaining({ apiVersion: '2026-10', operationName: 'OrderSnapshot', status: 200 }),
    ]);
    expect(second.callCount()).toBe(2);
  });
});
