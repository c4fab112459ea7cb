import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  actualQueryCost,
  type FieldNode,
  GraphqlRequestError,
  type OperationNode,
  parseOperation,
  project,
  requestedQueryCost,
} from './graphql-document.js';
import {
  connection,
  encodeCursor,
  graphqlDateTime,
  type RestOrder,
  toGraphqlOrder,
} from './order-graphql.js';
import { buildOrderPayload, type OrderContactOptions, orderContactFields } from './order-payload.js';
import { deliverWebhook } from './sign-webhook.js';

/**
 * An in-process Shopify Admin GraphQL API for tests and the local sandbox (no test-runner imports). It speaks the
 * wire format of `POST /admin/api/<version>/graphql.json`: the access token header, `{query, variables}` in,
 * `{data, extensions.cost}` out, THROTTLED from a leaky bucket, and signed webhooks to subscribed endpoints.
 */
export interface ShopifySimOptions {
  /** default `sim-shop.myshopify.com` */
  shop?: string;
  /** the token requests must carry in X-Shopify-Access-Token; default `shpat_simulator` */
  accessToken?: string;
  /** API version put on webhook deliveries; default `2026-10` */
  apiVersion?: string;
  /** leaky bucket size in cost points; default 2000 */
  bucketSize?: number;
  /** points restored per second; default 100 */
  restoreRate?: number;
  /** delay before every GraphQL answer, ms; default 0 */
  latencyMs?: number;
  /** the app's client secret that signs webhooks; deliveries are skipped until one is set */
  webhookSecret?: string;
  /** clock for `updated_at` bumps; default Date.now */
  now?: () => number;
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: a free port */
  port?: number;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface SimRequest {
  apiVersion: string;
  operationName?: string;
  rootFields: string[];
  variables: Record<string, unknown>;
  status: number;
  /** answered THROTTLED */
  throttled: boolean;
  requestedCost?: number;
  actualCost?: number;
}

export interface SimWebhookSubscription {
  id: string;
  /** GraphQL enum, e.g. ORDERS_CREATE */
  topic: string;
  uri: string;
  createdAt: string;
}

export interface WebhookDeliveryRecord {
  /** REST topic, e.g. orders/create */
  topic: string;
  orderId: string;
  url: string;
  eventId: string;
  /** skipped on purpose (`dropWebhooksFor`, or no secret) */
  dropped: boolean;
  status?: number;
  error?: string;
}

export type OrderFix = OrderContactOptions;

export interface ShopifySim {
  /** base URL, e.g. http://127.0.0.1:54321 — what SHOPIFY_ADMIN_URL points at */
  url: string;
  shop: string;
  accessToken: string;
  apiVersion: string;
  stop(): Promise<void>;

  /** Stores a `buildOrderPayload` result; resolves once orders/create (and orders/fulfilled) webhooks went out. */
  addOrder(payload: RestOrder): Promise<WebhookDeliveryRecord[]>;
  /** Shallow-merges REST fields; bumps `updated_at` unless the patch sets it; emits orders/updated. */
  updateOrder(orderId: string | number, patch: RestOrder): Promise<WebhookDeliveryRecord[]>;
  /** Marks the order and its lines fulfilled; emits orders/fulfilled and orders/updated. */
  fulfillOrder(orderId: string | number): Promise<WebhookDeliveryRecord[]>;
  cancelOrder(orderId: string | number, reason?: string): Promise<WebhookDeliveryRecord[]>;
  /** The merchant fixes the order's contact data (e.g. `{ withPhone: true }`); bumps `updated_at`. */
  fixOrderData(orderId: string | number, fix: OrderFix): Promise<WebhookDeliveryRecord[]>;
  removeOrder(orderId: string | number): Promise<WebhookDeliveryRecord[]>;
  /** A copy of the stored REST order, or undefined. */
  getOrder(orderId: string | number): RestOrder | undefined;
  orderIds(): string[];

  /** Sets the signing secret and subscribes `url` to the topics (default orders/create and orders/fulfilled). */
  emitWebhooksTo(params: {
    url: string;
    secret: string;
    topics?: readonly string[];
  }): SimWebhookSubscription[];
  /** Deliveries for these orders are lost from now on (recorded as dropped). */
  dropWebhooksFor(orderIds: Iterable<string | number>): void;
  listWebhookSubscriptions(): SimWebhookSubscription[];
  createWebhookSubscription(topic: string, uri: string): SimWebhookSubscription;
  deleteWebhookSubscription(id: string): boolean;
  webhookDeliveries(): WebhookDeliveryRecord[];

  /** The next `count` GraphQL calls answer THROTTLED whatever the bucket holds. */
  throttleNext(count: number): void;
  /** The next `count` calls answer this HTTP status (default 500). */
  failNext(count: number, status?: number): void;
  /** The current token stops working (401) until `setAccessToken`. */
  expireToken(): void;
  setAccessToken(token: string): void;
  setLatency(ms: number): void;

  /** GraphQL endpoint calls received, whatever the answer. */
  callCount(): number;
  /** Cost points charged to the bucket (actual costs of executed queries). */
  totalQueryCost(): number;
  throttledCount(): number;
  requests(): SimRequest[];
  bucket(): ThrottleStatus;
}

const graphqlPath = /^\/admin\/api\/([^/]+)\/graphql\.json$/;
const defaultTopics = ['ORDERS_CREATE', 'ORDERS_FULFILLED'];

/** ORDERS_CREATE → orders/create (only the first underscore separates resource and event). */
export const restTopic = (topic: string): string => topic.toLowerCase().replace('_', '/');
/** orders/create → ORDERS_CREATE */
export const graphqlTopic = (topic: string): string => topic.toUpperCase().replace('/', '_');

const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-request-id': randomUUID(),
    ...headers,
  });
  res.end(text);
};

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

interface SearchTerm {
  field: string;
  op: '>' | '>=' | '<' | '<=' | '=';
  value: string;
}

/** The bits of Shopify's search syntax the monitor uses: `updated_at:>='…' AND created_at:<'…'`. */
const parseSearch = (query: unknown): SearchTerm[] => {
  if (typeof query !== 'string' || query.trim() === '') return [];
  return query
    .split(/\s+AND\s+/i)
    .map((term) => /^(\w+):(>=|<=|>|<)?\s*['"]?([^'"]*)['"]?$/.exec(term.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({
      field: match[1] as string,
      op: (match[2] ?? '=') as SearchTerm['op'],
      value: match[3] as string,
    }));
};

const matchesTerm = (order: RestOrder, term: SearchTerm): boolean => {
  if (term.field !== 'updated_at' && term.field !== 'created_at') return true; // Shopify ignores unknown filters too
  const actual = Date.parse(String(order[term.field]));
  const expected = Date.parse(term.value);
  if (Number.isNaN(expected)) return true;
  switch (term.op) {
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    default:
      return actual === expected;
  }
};

const sortValue = (order: RestOrder, sortKey: string): number => {
  if (sortKey === 'UPDATED_AT') return Date.parse(String(order.updated_at));
  if (sortKey === 'CREATED_AT') return Date.parse(String(order.created_at));
  return Number(order.id);
};

export const startShopifySim = async (options: ShopifySimOptions = {}): Promise<ShopifySim> => {
  const shop = options.shop ?? 'sim-shop.myshopify.com';
  const apiVersion = options.apiVersion ?? '2026-10';
  const now = options.now ?? Date.now;
  const bucketSize = options.bucketSize ?? 2000;
  const restoreRate = options.restoreRate ?? 100;
  let accessToken: string | undefined = options.accessToken ?? 'shpat_simulator';
  let latencyMs = options.latencyMs ?? 0;
  let webhookSecret = options.webhookSecret;

  const orders = new Map<string, RestOrder>();
  const subscriptions: SimWebhookSubscription[] = [];
  let subscriptionSequence = 0;
  const dropped = new Set<string>();
  const deliveries: WebhookDeliveryRecord[] = [];
  const pending = new Set<Promise<unknown>>();
  const requestLog: SimRequest[] = [];
  let throttleRemaining = 0;
  const failures: number[] = [];
  let calls = 0;
  let throttled = 0;
  let totalCost = 0;
  let bucket = { available: bucketSize, at: performance.now() };

  const refill = (): ThrottleStatus => {
    const at = performance.now();
    const available = Math.min(bucketSize, bucket.available + ((at - bucket.at) / 1000) * restoreRate);
    bucket = { available, at };
    return {
      maximumAvailable: bucketSize,
      currentlyAvailable: Math.floor(available),
      restoreRate,
    };
  };

  // ---- orders --------------------------------------------------------------------------------------------------

  const mustGet = (orderId: string | number): RestOrder => {
    const order = orders.get(String(orderId));
    if (!order) throw new Error(`the Shopify simulator has no order ${orderId}`);
    return order;
  };

  /** Shopify's REST timestamps have whole seconds; every change moves `updated_at` strictly forward. */
  const bumpedUpdatedAt = (order: RestOrder): string => {
    const previous = Date.parse(String(order.updated_at));
    const current = Math.floor(now() / 1000) * 1000;
    const next = Number.isNaN(previous)
      ? current
      : Math.max(current, Math.floor(previous / 1000) * 1000 + 1000);
    return new Date(next).toISOString();
  };

  // ---- webhooks ------------------------------------------------------------------------------------------------

  const deliverOne = async (
    subscription: SimWebhookSubscription,
    topic: string,
    orderId: string,
    body: string,
    eventId: string,
  ): Promise<WebhookDeliveryRecord> => {
    const record: WebhookDeliveryRecord = { topic, orderId, url: subscription.uri, eventId, dropped: false };
    if (dropped.has(orderId)) return { ...record, dropped: true };
    if (!webhookSecret) return { ...record, dropped: true, error: 'no webhook secret configured' };
    try {
      const response = await deliverWebhook(subscription.uri, {
        topic,
        shop,
        body,
        secret: webhookSecret,
        eventId,
        apiVersion,
      });
      await response.arrayBuffer();
      return { ...record, status: response.status };
    } catch (error) {
      return { ...record, error: error instanceof Error ? error.message : String(error) };
    }
  };

  /** Sends one event to every subscription of its topic, in order; the result is recorded and returned. */
  const emit = (topic: string, order: RestOrder): Promise<WebhookDeliveryRecord[]> => {
    const orderId = String(order.id);
    const body = JSON.stringify(order);
    const eventId = randomUUID();
    const targets = subscriptions.filter((subscription) => subscription.topic === graphqlTopic(topic));
    const run = (async () => {
      const results: WebhookDeliveryRecord[] = [];
      for (const subscription of targets) {
        const result = await deliverOne(subscription, topic, orderId, body, eventId);
        deliveries.push(result);
        results.push(result);
      }
      return results;
    })();
    pending.add(run);
    void run.finally(() => pending.delete(run));
    return run;
  };

  const emitAll = async (topics: string[], order: RestOrder): Promise<WebhookDeliveryRecord[]> => {
    // Each event snapshots the order now, before a later change can alter it.
    const snapshot = structuredClone(order);
    const results: WebhookDeliveryRecord[] = [];
    for (const topic of topics) results.push(...(await emit(topic, snapshot)));
    return results;
  };

  const addSubscription = (topic: string, uri: string): SimWebhookSubscription => {
    subscriptionSequence += 1;
    const subscription = {
      id: `gid://shopify/WebhookSubscription/${1_000_000 + subscriptionSequence}`,
      topic: graphqlTopic(topic),
      uri,
      createdAt: new Date(now()).toISOString(),
    };
    subscriptions.push(subscription);
    return subscription;
  };

  /** Shopify only accepts HTTPS endpoints; the simulator also lets loopback HTTP through for local runs. */
  const subscriptionProblem = (
    topic: string,
    uri: unknown,
  ): { field: string[]; message: string } | undefined => {
    if (typeof uri !== 'string' || uri === '') {
      return { field: ['webhookSubscription', 'uri'], message: "Address can't be blank" };
    }
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      return { field: ['webhookSubscription', 'uri'], message: 'Address is invalid' };
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
      return {
        field: ['webhookSubscription', 'uri'],
        message: `Address protocol ${parsed.protocol}// is not supported`,
      };
    }
    if (subscriptions.some((existing) => existing.topic === topic && existing.uri === uri)) {
      return {
        field: ['webhookSubscription', 'uri'],
        message: 'Address for this topic has already been taken',
      };
    }
    return undefined;
  };

  const graphqlSubscription = (subscription: SimWebhookSubscription) => ({
    __typename: 'WebhookSubscription',
    id: subscription.id,
    topic: subscription.topic,
    uri: subscription.uri,
    callbackUrl: subscription.uri,
    format: 'JSON',
    includeFields: [],
    filter: null,
    createdAt: graphqlDateTime(subscription.createdAt),
    updatedAt: graphqlDateTime(subscription.createdAt),
  });

  // ---- GraphQL -------------------------------------------------------------------------------------------------

  const ordersPage = (args: Record<string, unknown>) => {
    const first = args.first;
    if (typeof first !== 'number' || first < 1 || first > 250) {
      throw new GraphqlRequestError('first must be between 1 and 250', 'argumentLiteralsIncompatible');
    }
    const sortKey = typeof args.sortKey === 'string' ? args.sortKey : 'ID';
    const direction = args.reverse === true ? -1 : 1;
    const terms = parseSearch(args.query);
    const key = (order: RestOrder): [number, number] => [sortValue(order, sortKey), Number(order.id)];
    const compare = (a: [number, number], b: [number, number]) => direction * (a[0] - b[0] || a[1] - b[1]);
    let matching = [...orders.values()]
      .filter((order) => terms.every((term) => matchesTerm(order, term)))
      .sort((a, b) => compare(key(a), key(b)));
    // Keyset pagination, like Shopify's cursors: a page starts after the last (sort value, id) seen.
    if (typeof args.after === 'string') {
      let last: [number, number];
      try {
        const decoded = JSON.parse(Buffer.from(args.after, 'base64').toString('utf8'));
        last = [Number(decoded.last_value), Number(decoded.last_id)];
      } catch {
        throw new GraphqlRequestError(
          'Invalid cursor for current pagination sort.',
          'argumentLiteralsIncompatible',
        );
      }
      matching = matching.filter((order) => compare(key(order), last) > 0);
    }
    return connection('Order', matching.map(toGraphqlOrder), { first }, (node) =>
      encodeCursor({
        last_id: Number(node.legacyResourceId),
        last_value: sortValue(orders.get(String(node.legacyResourceId)) ?? {}, sortKey),
      }),
    );
  };

  const queryRoot = (field: FieldNode): unknown => {
    const { args } = field;
    switch (field.name) {
      case 'order': {
        const match = /^gid:\/\/shopify\/Order\/(\d+)$/.exec(String(args.id ?? ''));
        if (!match)
          throw new GraphqlRequestError(
            `Invalid global id '${String(args.id)}'`,
            'argumentLiteralsIncompatible',
          );
        const order = orders.get(match[1] as string);
        return order ? toGraphqlOrder(order) : null;
      }
      case 'orders':
        return ordersPage(args);
      case 'webhookSubscriptions': {
        const topics = Array.isArray(args.topics) ? args.topics.map(String) : undefined;
        const matching = subscriptions.filter(
          (subscription) => !topics || topics.includes(subscription.topic),
        );
        return connection('WebhookSubscription', matching.map(graphqlSubscription), args, (node) =>
          encodeCursor({ last_id: node.id }),
        );
      }
      case 'shop':
        return {
          __typename: 'Shop',
          id: 'gid://shopify/Shop/1',
          name: shop.replace(/\.myshopify\.com$/, ''),
          myshopifyDomain: shop,
        };
      default:
        throw new GraphqlRequestError(
          `Field '${field.name}' doesn't exist on type 'QueryRoot'`,
          'undefinedField',
        );
    }
  };

  const mutationRoot = (field: FieldNode): unknown => {
    const { args } = field;
    switch (field.name) {
      case 'webhookSubscriptionCreate': {
        const topic = String(args.topic ?? '');
        const input = (args.webhookSubscription ?? {}) as Record<string, unknown>;
        const uri = input.uri ?? input.callbackUrl;
        const problem = /^[A-Z_]+$/.test(topic)
          ? subscriptionProblem(topic, uri)
          : { field: ['topic'], message: 'Topic is invalid' };
        if (problem) {
          return {
            __typename: 'WebhookSubscriptionCreatePayload',
            webhookSubscription: null,
            userErrors: [{ __typename: 'UserError', ...problem }],
          };
        }
        return {
          __typename: 'WebhookSubscriptionCreatePayload',
          webhookSubscription: graphqlSubscription(addSubscription(topic, String(uri))),
          userErrors: [],
        };
      }
      case 'webhookSubscriptionDelete': {
        const index = subscriptions.findIndex((subscription) => subscription.id === args.id);
        if (index < 0) {
          return {
            __typename: 'WebhookSubscriptionDeletePayload',
            deletedWebhookSubscriptionId: null,
            userErrors: [
              { __typename: 'UserError', field: ['id'], message: 'Webhook subscription does not exist' },
            ],
          };
        }
        subscriptions.splice(index, 1);
        return {
          __typename: 'WebhookSubscriptionDeletePayload',
          deletedWebhookSubscriptionId: args.id,
          userErrors: [],
        };
      }
      default:
        throw new GraphqlRequestError(
          `Field '${field.name}' doesn't exist on type 'Mutation'`,
          'undefinedField',
        );
    }
  };

  /** A fully populated value of each root field's type: selections are checked against it before running. */
  const sampleOf = (type: OperationNode['type'], field: string): unknown => {
    const order = toGraphqlOrder(buildOrderPayload({ id: 1 }));
    const subscription = graphqlSubscription({
      id: 'gid://shopify/WebhookSubscription/1',
      topic: 'ORDERS_CREATE',
      uri: 'https://example.com',
      createdAt: new Date(0).toISOString(),
    });
    const userError = { __typename: 'UserError', field: ['id'], message: '' };
    const samples: Record<string, unknown> =
      type === 'mutation'
        ? {
            webhookSubscriptionCreate: {
              __typename: 'WebhookSubscriptionCreatePayload',
              webhookSubscription: subscription,
              userErrors: [userError],
            },
            webhookSubscriptionDelete: {
              __typename: 'WebhookSubscriptionDeletePayload',
              deletedWebhookSubscriptionId: subscription.id,
              userErrors: [userError],
            },
          }
        : {
            order,
            orders: connection('Order', [order], {}, () => 'cursor'),
            webhookSubscriptions: connection('WebhookSubscription', [subscription], {}, () => 'cursor'),
            shop: { __typename: 'Shop', id: 'gid://shopify/Shop/1', name: '', myshopifyDomain: shop },
          };
    if (!(field in samples)) {
      const root = type === 'mutation' ? 'Mutation' : 'QueryRoot';
      throw new GraphqlRequestError(`Field '${field}' doesn't exist on type '${root}'`, 'undefinedField');
    }
    return samples[field];
  };

  /** Shopify rejects an unknown field before running anything, even where the answer would be null. */
  const validate = (operation: OperationNode): void => {
    for (const field of operation.selections) project(sampleOf(operation.type, field.name), field.selections);
  };

  const execute = (operation: OperationNode): Record<string, unknown> => {
    const data: Record<string, unknown> = {};
    for (const field of operation.selections) {
      const resolved = operation.type === 'mutation' ? mutationRoot(field) : queryRoot(field);
      data[field.alias ?? field.name] = project(resolved, field.selections);
    }
    return data;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const match = graphqlPath.exec(path);
    if (req.method !== 'POST' || !match) {
      json(res, 404, { errors: 'Not Found' });
      return;
    }
    calls += 1;
    const raw = await readBody(req);
    const entry: SimRequest = {
      apiVersion: match[1] as string,
      rootFields: [],
      variables: {},
      status: 200,
      throttled: false,
    };
    requestLog.push(entry);
    const versionHeader = { 'x-shopify-api-version': entry.apiVersion };
    if (latencyMs > 0) await sleep(latencyMs);

    const failure = failures.shift();
    if (failure !== undefined) {
      entry.status = failure;
      json(
        res,
        failure,
        { errors: failure >= 500 ? 'Internal Server Error' : 'Request failed' },
        versionHeader,
      );
      return;
    }
    if (!accessToken || req.headers['x-shopify-access-token'] !== accessToken) {
      entry.status = 401;
      json(res, 401, {
        errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
      });
      return;
    }

    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(raw);
    } catch {
      entry.status = 400;
      json(res, 400, { errors: { query: 'Required parameter missing or invalid' } }, versionHeader);
      return;
    }
    if (typeof body.query !== 'string') {
      entry.status = 400;
      json(res, 400, { errors: { query: 'Required parameter missing or invalid' } }, versionHeader);
      return;
    }
    const variables = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<
      string,
      unknown
    >;
    entry.variables = variables;

    let operation: OperationNode;
    try {
      operation = parseOperation(
        body.query,
        variables,
        typeof body.operationName === 'string' ? body.operationName : undefined,
      );
    } catch (error) {
      const problem =
        error instanceof GraphqlRequestError ? error : new GraphqlRequestError(String(error), 'parseError');
      json(
        res,
        200,
        { errors: [{ message: problem.message, extensions: { code: problem.code } }] },
        versionHeader,
      );
      return;
    }
    if (operation.name) entry.operationName = operation.name;
    entry.rootFields = operation.selections.map((field) => field.name);
    try {
      validate(operation);
    } catch (error) {
      const problem =
        error instanceof GraphqlRequestError ? error : new GraphqlRequestError(String(error), 'parseError');
      json(
        res,
        200,
        { errors: [{ message: problem.message, extensions: { code: problem.code } }] },
        versionHeader,
      );
      return;
    }

    const requested = requestedQueryCost(operation);
    entry.requestedCost = requested;
    const before = refill();
    if (throttleRemaining > 0 || before.currentlyAvailable < requested) {
      throttleRemaining = Math.max(0, throttleRemaining - 1);
      throttled += 1;
      entry.throttled = true;
      json(
        res,
        200,
        {
          errors: [
            {
              message: 'Throttled',
              extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
          extensions: {
            cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: before },
          },
        },
        versionHeader,
      );
      return;
    }

    let data: Record<string, unknown>;
    try {
      data = execute(operation);
    } catch (error) {
      const problem =
        error instanceof GraphqlRequestError
          ? error
          : new GraphqlRequestError('Internal error', 'INTERNAL_SERVER_ERROR');
      json(
        res,
        200,
        { errors: [{ message: problem.message, extensions: { code: problem.code } }] },
        versionHeader,
      );
      return;
    }
    const actual = actualQueryCost(operation, data);
    entry.actualCost = actual;
    totalCost += actual;
    bucket.available -= actual;
    json(
      res,
      200,
      {
        data,
        extensions: {
          cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: refill() },
        },
      },
      versionHeader,
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        json(res, 500, { errors: error instanceof Error ? error.message : 'Internal error' });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    shop,
    get accessToken() {
      return accessToken ?? '';
    },
    apiVersion,

    async stop() {
      await Promise.allSettled([...pending]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },

    addOrder(payload) {
      const order = structuredClone(payload);
      if (order.id === undefined) throw new Error('addOrder needs a payload with an id (buildOrderPayload)');
      orders.set(String(order.id), order);
      const topics = ['orders/create'];
      if (order.fulfillment_status === 'fulfilled') topics.push('orders/fulfilled');
      return emitAll(topics, order);
    },

    updateOrder(orderId, patch) {
      const order = mustGet(orderId);
      const updatedAt = patch.updated_at ?? bumpedUpdatedAt(order);
      Object.assign(order, structuredClone(patch), { id: order.id, updated_at: updatedAt });
      return emitAll(['orders/updated'], order);
    },

    fulfillOrder(orderId) {
      const order = mustGet(orderId);
      const updatedAt = bumpedUpdatedAt(order);
      const lineItems = Array.isArray(order.line_items) ? (order.line_items as RestOrder[]) : [];
      for (const item of lineItems) item.fulfillment_status = 'fulfilled';
      const fulfillmentId = Number(order.id) * 10 + 9;
      Object.assign(order, {
        fulfillment_status: 'fulfilled',
        updated_at: updatedAt,
        fulfillments: [
          {
            id: fulfillmentId,
            admin_graphql_api_id: `gid://shopify/Fulfillment/${fulfillmentId}`,
            order_id: order.id,
            status: 'success',
            created_at: updatedAt,
            updated_at: updatedAt,
            line_items: lineItems,
          },
        ],
      });
      return emitAll(['orders/fulfilled', 'orders/updated'], order);
    },

    cancelOrder(orderId, reason = 'customer') {
      const order = mustGet(orderId);
      const updatedAt = bumpedUpdatedAt(order);
      Object.assign(order, { cancelled_at: updatedAt, cancel_reason: reason, updated_at: updatedAt });
      return emitAll(['orders/cancelled', 'orders/updated'], order);
    },

    fixOrderData(orderId, fix) {
      const order = mustGet(orderId);
      const current = {
        withCustomer: order.customer != null,
        withPhone: order.phone != null,
        withShippingAddress: order.shipping_address != null,
        email: typeof order.email === 'string' && order.email !== '' ? order.email : null,
      };
      Object.assign(order, orderContactFields(Number(order.id), { ...current, ...fix }), {
        updated_at: bumpedUpdatedAt(order),
      });
      return emitAll(['orders/updated'], order);
    },

    removeOrder(orderId) {
      const order = mustGet(orderId);
      orders.delete(String(orderId));
      return emitAll(['orders/delete'], { id: order.id });
    },

    getOrder: (orderId) => {
      const order = orders.get(String(orderId));
      return order ? structuredClone(order) : undefined;
    },
    orderIds: () => [...orders.keys()],

    emitWebhooksTo({ url, secret, topics = defaultTopics }) {
      webhookSecret = secret;
      return topics.map((topic) => {
        const wanted = graphqlTopic(topic);
        return (
          subscriptions.find((existing) => existing.topic === wanted && existing.uri === url) ??
          addSubscription(wanted, url)
        );
      });
    },
    dropWebhooksFor(orderIds) {
      for (const id of orderIds) dropped.add(String(id));
    },
    listWebhookSubscriptions: () => subscriptions.map((subscription) => ({ ...subscription })),
    createWebhookSubscription: (topic, uri) => ({ ...addSubscription(topic, uri) }),
    deleteWebhookSubscription(id) {
      const index = subscriptions.findIndex((subscription) => subscription.id === id);
      if (index >= 0) subscriptions.splice(index, 1);
      return index >= 0;
    },
    webhookDeliveries: () => deliveries.map((delivery) => ({ ...delivery })),

    throttleNext(count) {
      throttleRemaining += count;
    },
    failNext(count, status = 500) {
      for (let i = 0; i < count; i += 1) failures.push(status);
    },
    expireToken() {
      accessToken = undefined;
    },
    setAccessToken(token) {
      accessToken = token;
    },
    setLatency(ms) {
      latencyMs = ms;
    },

    callCount: () => calls,
    totalQueryCost: () => totalCost,
    throttledCount: () => throttled,
    requests: () => requestLog.map((entry) => ({ ...entry })),
    bucket: () => refill(),
  };
};
