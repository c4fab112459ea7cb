import { setTimeout as sleep } from 'node:timers/promises';
import { simCustomer } from '../../../sim/hotwax/hotwax-sim.js';
import { buildOrderPayload, nextOrderId } from '../../../sim/shopify/order-payload.js';
import { signWebhook, webhookHeaders } from '../../../sim/shopify/sign-webhook.js';
import type { RunningMonitor } from './monitor.js';
import { waitUntil } from './monitor.js';
import { type DeliveryOutcome, deliverLikeShopify, inParallel } from './shopify-deliveries.js';
import { addOrders, createWorld, type FaultOrder, type World } from './world.js';

/**
 * The fault scenarios, each against a fresh `npm start` (DynamoDB Local, fauxqs, the real handlers) and the
 * simulators. Each returns its figures; the fault tests assert the invariants on them, `npm run bench -- faults`
 * prints them.
 */
export interface FaultFigures {
  fault: string;
  /** orders Shopify delivered */
  orders: number;
  /** acknowledged (a 2xx at last) but no record: must be 0 */
  lost: number;
  /** recorded but not where the runbook ends at the end of the wait: must be 0 */
  stuck: number;
  /** the orders that were not where the runbook ends, with their state (for the failure message) */
  stuckOrders: string[];
  /** seconds from the end of the fault (process back, dependency answering) to every order where it belongs */
  recoverySeconds?: number;
  /** share of first delivery attempts answered 503 */
  share503?: number;
  /** deliveries Shopify had to retry (no answer or a non-2xx first) */
  retried?: number;
  /** share of first delivery attempts not answered 2xx within Shopify's 5 s (503s, timeouts, resets) */
  shareNot2xx?: number;
  /** the most dead letters seen while the fault lasted (proves it outlasted the retry schedule) */
  deadLettered?: number;
  /** dead letters left at the end: must be 0 */
  deadLettersLeft?: number;
  alertsDue?: number;
  /** due alerts never posted: must be 0 */
  alertsLost?: number;
  /** due alerts posted more than once: must be 0 */
  alertsDoubled?: number;
  /** Slack calls made before an earlier 429's Retry-After had passed: must be 0 */
  earlySlackCalls?: number;
  /** answers 5xx to garbage: must be 0 */
  fiveXx?: number;
  /** records created by unauthenticated requests: must be 0 */
  unauthenticatedStored?: number;
  /** PII probes found in the table, an answer or Slack: must be 0 */
  piiFound?: string[];
  /** answers other than the contract's (401 forged, 200 quarantined, 413 oversized, 400 malformed path) */
  unexpected?: string[];
  /** requests of the fuzz */
  requests?: number;
}

const emptyFigures = (fault: string, orders: number): FaultFigures => ({
  fault,
  orders,
  lost: 0,
  stuck: 0,
  stuckOrders: [],
});

const webhookUrl = (monitor: RunningMonitor | { url: string }) => `${monitor.url}/webhooks/shopify`;

/** Counts what the runbook says: each order in `expected`, and every acknowledged one recorded. */
const settle = async (
  monitor: RunningMonitor,
  figures: FaultFigures,
  expected: Map<string, string>,
  acknowledged: ReadonlySet<string>,
  timeoutMs: number,
) => {
  const arrived = await waitUntil(async () => {
    const records = await monitor.records();
    return [...expected].every(([id, state]) => records.get(id)?.state === state);
  }, timeoutMs);
  const records = await monitor.records();
  figures.lost = [...acknowledged].filter((id) => !records.has(id)).length;
  figures.stuckOrders = [...expected]
    .filter(([id, state]) => records.get(id)?.state !== state)
    .map(([id]) => `${id}:${String(records.get(id)?.state ?? 'absent')}`);
  figures.stuck = figures.stuckOrders.length;
  return arrived;
};

const seconds = (ms: number) => Math.round(ms / 100) / 10;

const delivery = (
  world: World,
  monitor: { url: string },
  order: FaultOrder,
  topic: string,
  eventId?: string,
) => {
  const payload =
    topic === 'orders/fulfilled' ? { ...order.payload, fulfillment_status: 'fulfilled' } : order.payload;
  return {
    url: webhookUrl(monitor),
    topic,
    shop: world.shop,
    secret: world.secret,
    body: JSON.stringify(payload),
    orderId: order.id,
    ...(eventId ? { eventId } : {}),
  };
};

// --- 1. a redelivery storm -----------------------------------------------------------------------------------------

/**
 * Every order arrives as three copies of its orders/create event at once, two more deliveries of it under new event
 * ids (distinct writes that meet on one record), and, spread around the time its first check runs, two copies of
 * orders/fulfilled (webhooks racing checks). Every tenth order was missed by HotWax's import and needs a re-import.
 */
export const redeliveryStorm = async (options: { orders?: number } = {}): Promise<FaultFigures> => {
  const count = options.orders ?? 200;
  const world = await createWorld('storm');
  const figures = emptyFigures('redelivery storm', count);
  try {
    const orders = await addOrders(world, count, { prefix: 'S', missingEvery: 10 });
    const monitor = await world.start();
    const tasks = orders.flatMap((order) => {
      const created = `create-${order.id}`;
      const fulfilled = `fulfilled-${order.id}`;
      const copies = (topic: string, eventId: string | undefined, n: number, spreadMs = 0) =>
        Array.from({ length: n }, () => async () => {
          if (spreadMs) await sleep(500 + Math.random() * spreadMs);
          return deliverLikeShopify(delivery(world, monitor, order, topic, eventId));
        });
      return [
        ...copies('orders/create', created, 3),
        ...copies('orders/create', undefined, 2),
        ...copies('orders/fulfilled', fulfilled, 2, 4_000),
      ];
    });
    // An order's deliveries side by side, so they meet: seven in flight for one order, sixty in all.
    const outcomes = await inParallel(tasks, 60);
    const lastDelivery = Date.now();
    figures.share503 = outcomes.filter((outcome) => outcome.first === 503).length / outcomes.length;
    figures.retried = outcomes.filter((outcome) => outcome.statuses.length > 1).length;
    figures.shareNot2xx = figures.retried / outcomes.length;
    const acknowledged = new Set(outcomes.filter((outcome) => outcome.acknowledged).map((o) => o.orderId));
    await settle(
      monitor,
      figures,
      new Map(orders.map((order) => [order.id, 'in_sync'])),
      acknowledged,
      240_000,
    );
    figures.recoverySeconds = seconds(Date.now() - lastDelivery);
    figures.deadLettersLeft = Object.values(await monitor.deadLetters()).reduce((a, b) => a + b, 0);
    return figures;
  } finally {
    await world.close();
  }
};

// --- 2. npm start killed mid-load ----------------------------------------------------------------------------------

/**
 * Orders arrive with Shopify's retries; `npm start` is SIGKILLed (with its DynamoDB Local) once a third of them
 * were acknowledged and again at two thirds, each time started again on the same data dir and port while Shopify
 * keeps retrying.
 */
export const killedMidLoad = async (options: { orders?: number } = {}): Promise<FaultFigures> => {
  const count = options.orders ?? 150;
  const world = await createWorld('crash');
  const figures = emptyFigures('2 × SIGKILL mid-load + restart', count);
  try {
    const orders = await addOrders(world, count, { prefix: 'K', missingEvery: 10 });
    let monitor = await world.start();
    const url = { url: monitor.url };
    let acked = 0;
    const deliveries = inParallel(
      orders.map((order) => async () => {
        await sleep(Math.random() * 12_000);
        const outcome = await deliverLikeShopify(delivery(world, url, order, 'orders/create'), {
          attempts: 14,
          firstWaitMs: 500,
          maxWaitMs: 8_000,
        });
        if (outcome.acknowledged) acked += 1;
        return outcome;
      }),
      60,
    );
    // Killed twice while deliveries are in full flow, each time started again on the same data and port.
    let restartedAt = Date.now();
    for (const share of [1 / 3, 2 / 3]) {
      await waitUntil(() => acked >= count * share, 90_000, 50);
      await monitor.kill();
      monitor = await world.start();
      restartedAt = Date.now();
    }
    const outcomes: DeliveryOutcome[] = await deliveries;
    const acknowledged = new Set(outcomes.filter((o) => o.acknowledged).map((o) => o.orderId));
    figures.share503 = outcomes.filter((outcome) => outcome.first === 503).length / outcomes.length;
    figures.retried = outcomes.filter((outcome) => outcome.statuses.length > 1).length;
    figures.shareNot2xx = figures.retried / outcomes.length;
    const expected = new Map([...acknowledged].map((id) => [id, 'in_sync']));
    // An order Shopify gave up on (never acknowledged) is the sweep's: it must be found too.
    for (const order of orders) expected.set(order.id, 'in_sync');
    await settle(monitor, figures, expected, acknowledged, 240_000);
    figures.recoverySeconds = seconds(Date.now() - restartedAt);
    figures.deadLettersLeft = Object.values(await monitor.deadLetters()).reduce((a, b) => a + b, 0);
    await monitor.stop();
    return figures;
  } finally {
    await world.close();
  }
};

// --- 3. a HotWax outage of several minutes -------------------------------------------------------------------------

/**
 * HotWax answers 503 to everything for `outageSeconds` (default 120 s, five times the compressed retry schedule),
 * while orders arrive; half of them need a re-import. Nothing arrives after HotWax is back, so only the redrive
 * (probed by the sweep) brings the dead-lettered checks back: the overdue sweep's 15 minutes are not waited for.
 */
export const hotwaxOutage = async (options: { orders?: number; outageSeconds?: number } = {}) => {
  const count = options.orders ?? 60;
  const outageMs = (options.outageSeconds ?? 120) * 1000;
  const world = await createWorld('hotwax');
  const figures = emptyFigures(`HotWax outage ${outageMs / 1000} s`, count);
  try {
    const orders = await addOrders(world, count, { prefix: 'H', missingEvery: 2 });
    const monitor = await world.start();
    world.hotwax.down(true);
    const started = Date.now();
    const outcomes = await inParallel(
      orders.map((order, index) => async () => {
        // Spread over the first half of the outage.
        await sleep((index / count) * (outageMs / 2));
        return deliverLikeShopify(delivery(world, monitor, order, 'orders/create'));
      }),
      20,
    );
    let deadLettered = 0;
    while (Date.now() - started < outageMs) {
      deadLettered = Math.max(deadLettered, (await monitor.deadLetters()).checks);
      await sleep(2_000);
    }
    figures.deadLettered = deadLettered;
    world.hotwax.down(false);
    const back = Date.now();
    const acknowledged = new Set(outcomes.filter((o) => o.acknowledged).map((o) => o.orderId));
    await settle(
      monitor,
      figures,
      new Map(orders.map((order) => [order.id, 'in_sync'])),
      acknowledged,
      180_000,
    );
    figures.recoverySeconds = seconds(Date.now() - back);
    figures.deadLettersLeft = (await monitor.deadLetters()).checks;
    return figures;
  } finally {
    await world.close();
  }
};

// --- 4. a Slack outage, then 429 with Retry-After ----------------------------------------------------------------

/**
 * Orders whose import failed on a missing phone: each owes a person one alert. Slack drops every connection for
 * `downSeconds` (default 60 s, beyond the compressed retry schedule), then answers 429 with Retry-After 5 s for
 * 20 s, then recovers. Every alert must be posted exactly once, and no call may come before Slack's Retry-After.
 */
export const slackOutage = async (options: { blocked?: number; downSeconds?: number } = {}) => {
  const count = options.blocked ?? 6;
  const downMs = (options.downSeconds ?? 60) * 1000;
  const world = await createWorld('slack');
  const figures = emptyFigures(`Slack outage ${downMs / 1000} s + 429 Retry-After 5 s`, count);
  try {
    const orders: FaultOrder[] = [];
    for (let index = 0; index < count; index++) {
      const id = String(nextOrderId());
      const name = `#B${1000 + index}`;
      const payload = buildOrderPayload({ id: Number(id), name, withPhone: false });
      await world.shopify.addOrder(payload);
      world.hotwax.queueShopifyOrder({ shopifyOrderId: id, orderName: name, importAs: 'ORDER_APPROVED' });
      world.hotwax.failImport(id, 'Phone number is missing in the shipping address of the order');
      orders.push({ id, name, payload });
    }
    world.slack.down(true);
    const monitor = await world.start();
    const outcomes = await inParallel(
      orders.map((order) => () => deliverLikeShopify(delivery(world, monitor, order, 'orders/create'))),
      10,
    );
    const acknowledged = new Set(outcomes.filter((o) => o.acknowledged).map((o) => o.orderId));
    const started = Date.now();
    let deadLettered = 0;
    while (Date.now() - started < downMs) {
      deadLettered = Math.max(deadLettered, (await monitor.deadLetters()).notifications);
      await sleep(2_000);
    }
    figures.deadLettered = deadLettered;
    world.slack.down(false);
    world.slack.rateLimitFor(20, 5);
    const back = Date.now();
    const postsOf = (order: FaultOrder) =>
      world.slack.messages.filter((message) => message.text.includes(order.name)).length;
    await waitUntil(() => orders.every((order) => postsOf(order) >= 1), 180_000);
    figures.recoverySeconds = seconds(Date.now() - back);
    // Long enough for a doubled post to show: a sweep probe and a redrive later.
    await sleep(20_000);
    figures.alertsDue = count;
    figures.alertsLost = orders.filter((order) => postsOf(order) === 0).length;
    figures.alertsDoubled = orders.filter((order) => postsOf(order) > 1).length;
    figures.earlySlackCalls = world.slack.earlyCalls;
    await settle(
      monitor,
      figures,
      new Map(orders.map((order) => [order.id, 'blocked_on_data'])),
      acknowledged,
      30_000,
    );
    figures.deadLettersLeft = (await monitor.deadLetters()).notifications;
    return figures;
  } finally {
    await world.close();
  }
};

// --- 5. garbage at the edge, and PII in HotWax's error texts -------------------------------------------------------

/** A seeded PRNG (mulberry32): the same fuzz every run, so a failure is reproducible. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** What the customer of a failed import is called and where they live; none of it may be kept or repeated. */
export const piiProbes = [
  simCustomer.firstName,
  simCustomer.lastName,
  simCustomer.email,
  simCustomer.phone,
  simCustomer.address1,
  'Marta',
  'Kowalczyk',
  'marta.kowalczyk@example.org',
  '+48 601 234 567',
  '742 Evergreen Terrace',
  'Evergreen',
  // the webhook payloads' own contact data (sim/shopify/order-payload.ts)
  'ada@example.com',
  '1 Test Street',
  '555-010-0199',
];

const leakyErrorTexts = [
  `Phone number is missing for customer ${simCustomer.firstName} ${simCustomer.lastName} (${simCustomer.email})`,
  'Shipping address 742 Evergreen Terrace, Springfield is incomplete for Marta Kowalczyk: postalCode must not be null',
  "Invalid phone '+48 601 234 567' for party Marta Kowalczyk, contact marta.kowalczyk@example.org",
  `Service [createShopifyOrder] target threw an unexpected exception (null) for ${simCustomer.firstName} ${simCustomer.lastName}, ${simCustomer.address1}`,
];

/**
 * Fuzzed requests against every route (authentic and forged webhooks, garbage bodies, invalid UTF-8, oversized and
 * unstorable payloads, odd ids and percent-encodings), then orders whose failed imports quote a customer. No 5xx,
 * nothing unauthenticated stored, and no probe in the table, an answer or Slack.
 */
export const garbageAndPii = async (options: { requests?: number; seed?: number } = {}) => {
  const total = options.requests ?? 600;
  const random = prng(options.seed ?? 11);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const world = await createWorld('garbage');
  const figures: FaultFigures = {
    ...emptyFigures('fuzz + PII probes', 0),
    fiveXx: 0,
    piiFound: [],
    unexpected: [],
  };
  const expect = (what: string, status: number, wanted: number) => {
    if (status !== wanted) figures.unexpected?.push(`${what}: ${status}, not ${wanted}`);
    return status;
  };
  let lastBody = '';
  const answers: string[] = [];
  try {
    const monitor = await world.start();
    const forgedIds = new Set<string>();
    const authenticIds = new Set<string>();
    const randomBytes = (length: number) =>
      Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
    const send = async (
      method: string,
      path: string,
      body?: Buffer,
      headers: Record<string, string> = {},
    ) => {
      try {
        const response = await fetch(`${monitor.url}${path}`, {
          method,
          headers,
          ...(body ? { body } : {}),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        answers.push(text);
        lastBody = text;
        if (response.status >= 500) figures.fiveXx = (figures.fiveXx ?? 0) + 1;
        return response.status;
      } catch (error) {
        // No answer at all is as bad as a 5xx: Shopify would retry it forever.
        figures.fiveXx = (figures.fiveXx ?? 0) + 1;
        answers.push(String(error));
        return 0;
      }
    };
    const webhook = (body: Buffer, authentic: boolean, extra: Record<string, string> = {}) => {
      const headers = {
        ...webhookHeaders({ topic: 'orders/create', shop: world.shop, body: '', secret: world.secret }),
        'x-shopify-hmac-sha256': authentic
          ? signWebhook(body, world.secret)
          : signWebhook(body, 'not-the-secret'),
        ...extra,
      };
      return send('POST', '/webhooks/shopify', body, headers);
    };
    const order = () => {
      const id = nextOrderId();
      return { id: String(id), payload: buildOrderPayload({ id }) };
    };

    const cases: Array<() => Promise<number>> = [
      // forged: a real order, a wrong signature
      async () => {
        const { id, payload } = order();
        forgedIds.add(id);
        return expect('forged', await webhook(Buffer.from(JSON.stringify(payload)), false), 401);
      },
      // forged: no signature at all
      async () => {
        const { id, payload } = order();
        forgedIds.add(id);
        return expect(
          'unsigned',
          await webhook(Buffer.from(JSON.stringify(payload)), false, { 'x-shopify-hmac-sha256': '' }),
          401,
        );
      },
      // authentic random bytes (mostly invalid UTF-8)
      async () => webhook(randomBytes(1 + Math.floor(random() * 400)), true),
      // authentic JSON that is no order
      async () =>
        webhook(Buffer.from(JSON.stringify({ [String(random())]: random(), name: random() })), true),
      // authentic order with a truncated body
      async () => {
        const text = JSON.stringify(order().payload);
        return webhook(Buffer.from(text.slice(0, Math.floor(random() * text.length))), true);
      },
      // authentic order, invalid UTF-8 in its name
      async () => {
        const text = JSON.stringify(order().payload).replace('"name":"#', '"name":"#\u00ff');
        // Verified on the bytes through npm start's server: quarantined, not refused as a forgery (#11 §10).
        const status = expect(
          'authentic invalid UTF-8',
          await webhook(Buffer.from(text, 'latin1'), true),
          200,
        );
        if (!lastBody.includes('not valid UTF-8'))
          figures.unexpected?.push(`invalid UTF-8 answered ${lastBody}`);
        return status;
      },
      // authentic, unstorable: a 500 KB name
      async () => {
        const { payload } = order();
        const huge = Buffer.from(JSON.stringify({ ...payload, name: `#${'x'.repeat(500_000)}` }));
        const status = expect('unstorable', await webhook(huge, true), 200);
        if (!lastBody.includes('quarantined')) figures.unexpected?.push(`unstorable answered ${lastBody}`);
        return status;
      },
      // authentic, an id no Shopify order has
      async () => {
        const { payload } = order();
        const id = `${Math.floor(random() * 1e12)}${Math.floor(random() * 1e12)}`;
        return webhook(
          Buffer.from(JSON.stringify({ ...payload, admin_graphql_api_id: `gid://shopify/Order/${id}` })),
          true,
        );
      },
      // authentic with odd headers: another topic, an odd shop, a huge event id
      async () => {
        const { payload } = order();
        return webhook(Buffer.from(JSON.stringify(payload)), true, {
          ...pick<Record<string, string>>([
            { 'x-shopify-topic': pick(['products/update', 'ORDERS_CREATE', '', 'orders/cancelled']) },
            { 'x-shopify-shop-domain': pick(['', 'evil.example.com', 'x'.repeat(300)]) },
            { 'x-shopify-event-id': 'e'.repeat(5000) },
          ]),
        });
      },
      // authentic, valid: recorded (and must be readable back)
      async () => {
        const { id, payload } = order();
        authenticIds.add(id);
        const status = await webhook(Buffer.from(JSON.stringify(payload)), true);
        const read = await send('GET', `/orders/${id}`);
        if (status === 200 && read !== 200) figures.stuckOrders.push(`${id}:not readable (${read})`);
        return status;
      },
      // routes
      async () =>
        send(
          'GET',
          `/orders/${pick(['..%2f..', '-1', '0', '1e9', '9'.repeat(23), '18446744073709551616', encodeURIComponent(String(random())), '%00', '%F0%9F%92%A9'])}`,
        ),
      async () =>
        expect('malformed path', await send('GET', `/orders/${pick(['%', '%zz', '%E0%A4%A'])}`), 400),
      async () =>
        send(
          pick(['GET', 'PUT', 'DELETE', 'PATCH']),
          pick(['/', '/health', '/webhooks/shopify', '/orders', '/orders/1/x', '/%']),
        ),
      async () => send('POST', '/webhooks/shopify', randomBytes(Math.floor(random() * 2000))),
    ];
    for (let index = 0; index < total; index++) await pick(cases)();
    // And once each: a body over the limit, which must get its 413.
    expect(
      'oversized body',
      await send('POST', '/webhooks/shopify', Buffer.alloc(10 * 1024 * 1024 + 1, 0x7b)),
      413,
    );
    figures.requests = answers.length;

    // PII through HotWax's error texts: the checks find the failed imports, classify and report them.
    const pii: FaultOrder[] = [];
    for (const [index, text] of leakyErrorTexts.entries()) {
      const id = String(nextOrderId());
      const name = `#P${1000 + index}`;
      const payload = buildOrderPayload({ id: Number(id), name });
      await world.shopify.addOrder(payload);
      world.hotwax.queueShopifyOrder({ shopifyOrderId: id, orderName: name, importAs: 'ORDER_APPROVED' });
      world.hotwax.failImport(id, text);
      pii.push({ id, name, payload });
      await deliverLikeShopify(delivery(world, monitor, { id, name, payload }, 'orders/create'));
    }
    // Each reaches a state where a person or HotWax support owns it, having been told.
    await waitUntil(async () => {
      const records = await monitor.records();
      return pii.every((order) => {
        const state = String(records.get(order.id)?.state);
        return (state === 'blocked_on_data' || state === 'escalated') && records.get(order.id)?.finding;
      });
    }, 120_000);
    await waitUntil(
      () => pii.every((o) => world.slack.messages.some((m) => m.text.includes(o.name))),
      60_000,
    );
    for (const { id } of pii)
      answers.push(JSON.stringify(await (await fetch(`${monitor.url}/orders/${id}`)).json()));

    const records = await monitor.records();
    figures.orders = authenticIds.size + pii.length;
    figures.lost = [...authenticIds].filter((id) => !records.has(id)).length;
    figures.unauthenticatedStored = [...forgedIds].filter((id) => records.has(id)).length;
    const stuck = pii.filter(
      (order) => !['blocked_on_data', 'escalated'].includes(String(records.get(order.id)?.state)),
    );
    figures.stuckOrders.push(...stuck.map((order) => `${order.id}:${String(records.get(order.id)?.state)}`));
    figures.stuck = figures.stuckOrders.length;

    const places = {
      table: JSON.stringify(await monitor.scan()),
      answers: answers.join('\n'),
      slack: JSON.stringify(world.slack.messages),
    };
    for (const [place, text] of Object.entries(places)) {
      for (const probe of piiProbes) if (text.includes(probe)) figures.piiFound?.push(`${probe} in ${place}`);
    }
    if (/\n\s+at |URI malformed|Exception:|ECONNREFUSED/.test(places.answers)) {
      figures.piiFound?.push('internals in an answer');
    }
    return figures;
  } finally {
    await world.close();
  }
};
