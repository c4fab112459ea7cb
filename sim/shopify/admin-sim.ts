import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type DocumentNode,
  execute,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLOutputType,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isObjectType,
  Kind,
  parse,
} from 'graphql';
import {
  type AdminSchema,
  adminVersions,
  isKnownAdminVersion,
  loadAdminSchema,
  type ProtectedContent,
} from './admin-schema.js';
import { actualQueryCost, type CostContext, requestedQueryCost } from './cost-model.js';
import {
  connection,
  encodeCursor,
  graphqlDateTime,
  type RestOrder,
  toGraphqlOrder,
} from './order-graphql.js';
import { type OrderContactOptions, orderContactFields } from './order-payload.js';
import { invalidVariables, type ShopifyGraphqlError, validateLikeShopify } from './shopify-graphql-errors.js';
import { deliverWebhook } from './sign-webhook.js';

/**
 * An in-process Shopify Admin GraphQL API for tests and the local sandbox (no test-runner imports). It speaks the
 * wire format of `POST /admin/api/<version>/graphql.json`: the access token header, `{query, variables}` in,
 * `{data, extensions.cost}` out, THROTTLED from a leaky bucket, and signed webhooks to subscribed endpoints.
 *
 * Every request is parsed, validated and its variables coerced against Shopify's published schema of the requested
 * version (`admin-schema.ts`), and refused in Shopify's words when Shopify would refuse it (`shopify-graphql-errors.ts`).
 * Each access token has its granted scopes and protected customer fields: a field whose `requiredAccess` the token
 * lacks answers ACCESS_DENIED with partial data, as Shopify does.
 */

/** What one access token may read. */
export interface AccessGrant {
  /** access scope handles, e.g. `read_orders`; a `write_` scope implies its `read_` scope */
  scopes: readonly string[];
  /** protected customer fields the app is approved for (level 2): `name`, `email`, `phone`, `address` */
  protectedCustomerData: readonly ProtectedContent[];
}

/**
 * The scopes and protected customer fields the README asks a merchant to grant: the simulator's default token has
 * exactly these, so every test that talks to it proves they are enough.
 */
export const monitorAccess: AccessGrant = { scopes: ['read_orders'], protectedCustomerData: ['phone'] };

export interface ShopifySimOptions {
  /** default `sim-shop.myshopify.com` */
  shop?: string;
  /** the token requests must carry in X-Shopify-Access-Token; default `shpat_simulator` */
  accessToken?: string;
  /** what that token may read; default `monitorAccess` */
  access?: Partial<AccessGrant>;
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
  /** the document as sent */
  query?: string;
  operationName?: string;
  rootFields: string[];
  variables: Record<string, unknown>;
  status: number;
  /** answered THROTTLED */
  throttled: boolean;
  /** `extensions.code` of every error answered, e.g. `undefinedField`, `ACCESS_DENIED` */
  errorCodes: string[];
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
  /** Replaces the current token; the new one keeps the current token's grant. */
  setAccessToken(token: string): void;
  /** Issues another token with its own grant (e.g. one without `read_orders`); the current token is unchanged. */
  issueAccessToken(token: string, access?: Partial<AccessGrant>): void;
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

const oldestAdminVersion = (): string => {
  const stable = adminVersions().filter((version) => /^\d{4}-\d{2}$/.test(version.name));
  return stable.at(-1)?.name ?? '2026-10';
};

const isGranted = (grant: AccessGrant, scope: string): boolean =>
  grant.scopes.includes(scope) ||
  (scope.startsWith('read_') && grant.scopes.includes(`write_${scope.slice(5)}`));

/** The type a field hands its access rule down from: a connection's node type, otherwise the field's own type. */
const guardedType = (type: GraphQLOutputType): GraphQLNamedType => {
  const named = getNamedType(type);
  if (isObjectType(named) && named.name.endsWith('Connection')) {
    const nodes = named.getFields().nodes;
    if (nodes) return getNamedType(nodes.type);
  }
  return named;
};

/**
 * Shopify's answer to a field the token may not read, or undefined. A scope is checked on the field itself and on
 * the type it returns (Customer needs read_customers wherever it appears; a connection of orders needs read_orders
 * at the field that returns it, as Shopify's "Access denied for orders field." says); a protected customer field
 * needs the app's approval for that kind of data.
 */
const accessDenial = (
  admin: AdminSchema,
  grant: AccessGrant,
  parentType: GraphQLNamedType,
  fieldName: string,
  returnType: GraphQLOutputType,
): GraphQLError | undefined => {
  for (const requirement of [
    admin.fieldAccess(parentType.name, fieldName),
    admin.typeAccess(guardedType(returnType).name),
  ]) {
    if (requirement && !requirement.scopes.some((scope) => isGranted(grant, scope))) {
      return new GraphQLError(
        `Access denied for ${fieldName} field. Required access: ${requirement.requiredAccess}`,
        {
          extensions: {
            code: 'ACCESS_DENIED',
            documentation: 'https://shopify.dev/api/usage/access-scopes',
            requiredAccess: requirement.requiredAccess,
          },
        },
      );
    }
  }
  const content = admin.protectedContent(parentType.name, fieldName);
  if (content && !grant.protectedCustomerData.includes(content)) {
    return new GraphQLError(
      `This app is not approved to use the ${fieldName} field. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.`,
      {
        extensions: {
          code: 'ACCESS_DENIED',
          documentation: 'https://shopify.dev/docs/apps/launch/protected-customer-data',
        },
      },
    );
  }
  return undefined;
};
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
  let defaultGrant: AccessGrant = { ...monitorAccess, ...options.access };
  const grants = new Map<string, AccessGrant>([[accessToken, defaultGrant]]);
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

  const simError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });

  const ordersPage = (args: Record<string, unknown>) => {
    const first = args.first ?? args.last;
    if (typeof first !== 'number') {
      throw simError('you must provide one of first or last', 'argumentLiteralsIncompatible');
    }
    if (first < 1 || first > 250) {
      throw simError('first must be between 1 and 250', 'argumentLiteralsIncompatible');
    }
    const sortKey = typeof args.sortKey === 'string' ? args.sortKey : 'ID';
    const direction = args.reverse === true ? -1 : 1;
    const terms = parseSearch(args.query);
    const key = (order: RestOrder): [number, bigint] => [sortValue(order, sortKey), BigInt(String(order.id))];
    const compare = (a: [number, bigint], b: [number, bigint]) =>
      direction * (a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    let matching = [...orders.values()]
      .filter((order) => terms.every((term) => matchesTerm(order, term)))
      .sort((a, b) => compare(key(a), key(b)));
    // Keyset pagination, like Shopify's cursors: a page starts after the last (sort value, id) seen.
    if (typeof args.after === 'string') {
      let last: [number, bigint];
      try {
        const decoded = JSON.parse(Buffer.from(args.after, 'base64').toString('utf8'));
        last = [Number(decoded.last_value), BigInt(String(decoded.last_id))];
      } catch {
        throw simError('Invalid cursor for current pagination sort.', 'argumentLiteralsIncompatible');
      }
      matching = matching.filter((order) => compare(key(order), last) > 0);
    }
    return connection('Order', matching.map(toGraphqlOrder), { first }, (node) =>
      encodeCursor({
        last_id: String(node.legacyResourceId),
        last_value: sortValue(orders.get(String(node.legacyResourceId)) ?? {}, sortKey),
      }),
    );
  };

  const queryRoot: Record<string, (args: Record<string, unknown>, grant: AccessGrant) => unknown> = {
    order: (args) => {
      const match = /^gid:\/\/shopify\/Order\/(\d+)$/.exec(String(args.id ?? ''));
      if (!match) throw simError(`Invalid global id '${String(args.id)}'`, 'argumentLiteralsIncompatible');
      const order = orders.get(match[1] as string);
      return order ? toGraphqlOrder(order) : null;
    },
    orders: (args) => ordersPage(args),
    // Shopify's `nodes(ids:)`: up to 250 global ids, null for each one that names nothing (here: no such order).
    nodes: (args) => {
      const ids = Array.isArray(args.ids) ? args.ids.map(String) : [];
      if (ids.length > 250)
        throw simError('The ids argument accepts at most 250 ids', 'MAX_INPUT_SIZE_EXCEEDED');
      return ids.map((id) => {
        const match = /^gid:\/\/shopify\/Order\/(\d+)$/.exec(id);
        const order = match ? orders.get(match[1] as string) : undefined;
        return order ? toGraphqlOrder(order) : null;
      });
    },
    webhookSubscriptions: (args) => {
      const topics = Array.isArray(args.topics) ? args.topics.map(String) : undefined;
      const matching = subscriptions.filter((subscription) => !topics || topics.includes(subscription.topic));
      return connection('WebhookSubscription', matching.map(graphqlSubscription), args, (node) =>
        encodeCursor({ last_id: node.id }),
      );
    },
    shop: () => ({
      __typename: 'Shop',
      id: 'gid://shopify/Shop/1',
      name: shop.replace(/\.myshopify\.com$/, ''),
      myshopifyDomain: shop,
    }),
    // Every version the schema package carries; a release candidate counts as supported once its quarter began
    // (the package may predate the release), `unstable` never does, as Shopify's ApiVersion.supported says.
    publicApiVersions: () =>
      adminVersions().map((version) => ({
        __typename: 'ApiVersion',
        handle: version.name,
        displayName: version.releaseCandidate ? `${version.name} (Release Candidate)` : version.name,
        supported:
          /^\d{4}-\d{2}$/.test(version.name) &&
          (!version.releaseCandidate || Date.parse(`${version.name}-01T17:00:00Z`) <= now()),
      })),
    currentAppInstallation: (_args, grant) => ({
      __typename: 'AppInstallation',
      id: 'gid://shopify/AppInstallation/1',
      accessScopes: [...grant.scopes].map((handle) => ({
        __typename: 'AccessScope',
        handle,
        description: handle,
      })),
    }),
  };

  const mutationRoot: Record<string, (args: Record<string, unknown>, grant: AccessGrant) => unknown> = {
    webhookSubscriptionCreate: (args) => {
      const topic = String(args.topic ?? '');
      const input = (args.webhookSubscription ?? {}) as Record<string, unknown>;
      const uri = input.uri ?? input.callbackUrl;
      const problem = subscriptionProblem(topic, uri);
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
    },
    webhookSubscriptionDelete: (args) => {
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
    },
  };

  interface ResolveContext {
    admin: AdminSchema;
    grant: AccessGrant;
  }

  /**
   * Resolves every field: the root fields above, the plain objects of `order-graphql.ts` below them (a function
   * is called with the field's arguments), and first of all Shopify's access rules for the token.
   */
  const fieldResolver: GraphQLFieldResolver<unknown, ResolveContext> = (source, args, context, info) => {
    const denial = accessDenial(
      context.admin,
      context.grant,
      info.parentType,
      info.fieldName,
      info.returnType,
    );
    if (denial) throw denial;
    const { schema } = context.admin;
    const root =
      info.parentType === schema.getQueryType()
        ? queryRoot
        : info.parentType === schema.getMutationType()
          ? mutationRoot
          : undefined;
    if (root) {
      const resolve = root[info.fieldName];
      if (!resolve) {
        throw simError(
          `The Shopify simulator does not implement ${info.parentType.name}.${info.fieldName}`,
          'SIMULATOR_UNSUPPORTED',
        );
      }
      return resolve(args, context.grant);
    }
    const value = (source as Record<string, unknown> | null)?.[info.fieldName];
    return typeof value === 'function' ? (value as (args: unknown) => unknown)(args) : value;
  };

  /** Parsing and Shopify-shaped validation of one document, cached: clients send the same few documents. */
  const analysed = new Map<string, { document: DocumentNode } | { errors: ShopifyGraphqlError[] }>();
  const analyse = (admin: AdminSchema, query: string) => {
    const key = `${admin.version}\n${query}`;
    const cached = analysed.get(key);
    if (cached) return cached;
    let result: { document: DocumentNode } | { errors: ShopifyGraphqlError[] };
    try {
      const document = parse(query);
      const errors = validateLikeShopify(admin.schema, document);
      result = errors.length > 0 ? { errors } : { document };
    } catch (error) {
      const syntax = error instanceof GraphQLError ? error : new GraphQLError(String(error));
      result = { errors: [{ message: syntax.message, locations: [...(syntax.locations ?? [])] }] };
    }
    if (analysed.size > 500) analysed.clear();
    analysed.set(key, result);
    return result;
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
    const requested = match[1] as string;
    // Shopify answers a version it no longer supports with the oldest one it does, and says so in the header.
    const servedVersion = isKnownAdminVersion(requested) ? requested : oldestAdminVersion();
    const entry: SimRequest = {
      apiVersion: requested,
      rootFields: [],
      variables: {},
      status: 200,
      throttled: false,
      errorCodes: [],
    };
    requestLog.push(entry);
    const versionHeader = { 'x-shopify-api-version': servedVersion };
    if (latencyMs > 0) await sleep(latencyMs);

    const answerErrors = (errors: ShopifyGraphqlError[], extra: Record<string, unknown> = {}) => {
      entry.errorCodes = errors.map((error) => String(error.extensions?.code ?? 'error'));
      json(res, 200, { errors, ...extra }, versionHeader);
    };

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
    const token = req.headers['x-shopify-access-token'];
    const grant = typeof token === 'string' ? grants.get(token) : undefined;
    if (!grant) {
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
    entry.query = body.query;
    const variables = (
      body.variables && typeof body.variables === 'object' && !Array.isArray(body.variables)
        ? body.variables
        : {}
    ) as Record<string, unknown>;
    entry.variables = variables;

    const admin = loadAdminSchema(servedVersion);
    const analysis = analyse(admin, body.query);
    if ('errors' in analysis) {
      answerErrors(analysis.errors);
      return;
    }
    const { document } = analysis;
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      answerErrors([
        {
          message: operationName ? `No operation named "${operationName}"` : 'An operation name is required',
          extensions: { code: 'operationNotFound' },
        },
      ]);
      return;
    }
    if (operation.name) entry.operationName = operation.name.value;
    entry.rootFields = operation.selectionSet.selections.map((selection) =>
      selection.kind === Kind.FIELD ? selection.name.value : selection.kind,
    );

    const invalid = invalidVariables(admin.schema, operation, variables);
    if (invalid.length > 0) {
      answerErrors(invalid);
      return;
    }
    const coerced = getVariableValues(admin.schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) {
      answerErrors(
        coerced.errors.map((error) => ({
          message: error.message,
          locations: [...(error.locations ?? [])],
          extensions: { code: 'INVALID_VARIABLE' },
        })),
      );
      return;
    }

    const fragments = new Map(
      document.definitions
        .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((definition) => [definition.name.value, definition] as const),
    );
    const costContext: CostContext = {
      schema: admin.schema,
      operation,
      fragments,
      variables: coerced.variableValues,
    };
    const requestedCost = requestedQueryCost(costContext);
    entry.requestedCost = requestedCost;
    const before = refill();
    if (throttleRemaining > 0 || before.currentlyAvailable < requestedCost) {
      throttleRemaining = Math.max(0, throttleRemaining - 1);
      throttled += 1;
      entry.throttled = true;
      answerErrors(
        [
          {
            message: 'Throttled',
            extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
          },
        ],
        {
          extensions: {
            cost: { requestedQueryCost: requestedCost, actualQueryCost: null, throttleStatus: before },
          },
        },
      );
      return;
    }

    const result = await execute({
      schema: admin.schema,
      document,
      operationName,
      variableValues: variables,
      contextValue: { admin, grant } satisfies ResolveContext,
      fieldResolver,
    });
    const data = (result.data ?? null) as Record<string, unknown> | null;
    const actual = actualQueryCost(costContext, data);
    entry.actualCost = actual;
    totalCost += actual;
    bucket.available -= actual;
    const errors = (result.errors ?? []).map((error) => error.toJSON() as ShopifyGraphqlError);
    entry.errorCodes = errors.map((error) => String(error.extensions?.code ?? 'error'));
    json(
      res,
      200,
      {
        ...(errors.length > 0 && { errors }),
        data,
        extensions: {
          cost: { requestedQueryCost: requestedCost, actualQueryCost: actual, throttleStatus: refill() },
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
      if (accessToken) grants.delete(accessToken);
      accessToken = undefined;
    },
    setAccessToken(token) {
      if (accessToken) grants.delete(accessToken);
      accessToken = token;
      grants.set(token, defaultGrant);
    },
    issueAccessToken(token, access = {}) {
      grants.set(token, { ...monitorAccess, ...access });
      if (token === accessToken) defaultGrant = grants.get(token) ?? defaultGrant;
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
