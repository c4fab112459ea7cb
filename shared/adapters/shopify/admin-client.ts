import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import type { OrdersPage as PortOrdersPage, ShopifyPort, WebhookSubscription } from '../../domain/ports.js';
import { monitoredSubscriptionTopics, type SubscriptionTopic } from '../../domain/webhook-topics.js';
import { installAdminBaseUrlRouting, withAdminBaseUrl } from './admin-base-url.js';
import { ShopifyAccessDeniedError, ShopifyApiError, ShopifyThrottledError } from './admin-errors.js';
import {
  appInstallationQuery,
  orderSnapshotQuery,
  orderSnapshotsQuery,
  orderSummariesUpdatedQuery,
  ordersUpdatedQuery,
  webhookSubscriptionCreateMutation,
  webhookSubscriptionsQuery,
} from './admin-queries.js';
import { classifyAdminError } from './classify-admin-error.js';
import {
  type OrderNode,
  orderGid,
  shopifyOrderUrl,
  toOrderSnapshot,
  toOrderSummary,
  updatedWindowQuery,
} from './order-snapshot.js';
import { createCostBudget, type QueryCost, readQueryCost, throttledDelay } from './query-cost.js';

export type { QueryCost, ThrottleStatus } from './query-cost.js';

export type { WebhookSubscription };

export interface OrdersPage extends PortOrdersPage {
  /** the page's cost and the bucket after it; null if Shopify sent no cost */
  cost: QueryCost | null;
}

export interface ShopifyAdminOptions {
  /** `<name>.myshopify.com` */
  shop: string;
  /** the custom app's Admin API access token (shpat_…) */
  accessToken: string;
  /** e.g. `2026-10` */
  apiVersion: string;
  /** Base URL that replaces `https://<shop>` (a simulator in tests and the sandbox); the path stays the same. */
  adminUrl?: string;
  timeoutMs: number;
  throttle?: {
    /** THROTTLED answers retried before giving up with ShopifyThrottledError; default 5 */
    maxRetries?: number;
    /** first backoff after THROTTLED, doubled each time; default 1000 */
    baseDelayMs?: number;
    /** longest single wait, whether before a query or after THROTTLED; default 30000 */
    maxDelayMs?: number;
  };
  /** Receives the library's warnings and throttling notes; never the token. */
  logger?: { warn(message: string, attributes?: Record<string, unknown>): void };
}

/** What `doctor` learns about the app's installation, without reading any shop data. */
export interface AppInstallation {
  /** the access scopes granted to the app, e.g. `read_orders` */
  accessScopes: string[];
  /** every Admin API version Shopify lists, and whether it is supported (stable, not end-of-life) */
  apiVersions: Array<{ handle: string; supported: boolean }>;
  /** the version Shopify answered with (`X-Shopify-API-Version`): another one than requested means unsupported */
  servedVersion: string | undefined;
}

export interface ShopifyAdmin extends ShopifyPort {
  listOrdersUpdated(params: Parameters<ShopifyPort['listOrdersUpdated']>[0]): Promise<OrdersPage>;
  appInstallation(): Promise<AppInstallation>;
}

/** A response header whatever the library did to its name and value (canonical names, arrays of values). */
const headerValue = (headers: unknown, name: string): string | undefined => {
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== name) continue;
    const first: unknown = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first : undefined;
  }
  return undefined;
};

interface SubscriptionNode {
  id: string;
  topic: string;
  uri: string;
}

const toSubscription = (node: SubscriptionNode): WebhookSubscription => ({
  id: node.id,
  topic: node.topic,
  callbackUrl: node.uri,
});

/**
 * A missing scope fails every call until a person grants it: it is said once per process (per shop and scope), not
 * once per check, while every call still fails with the same precise error.
 */
const accessDeniedSaid = new Set<string>();

/**
 * The Admin GraphQL client of a custom app (admin access token), built on @shopify/shopify-api. It paces itself
 * by the leaky bucket Shopify reports in `extensions.cost` and waits out THROTTLED answers.
 */
export const createShopifyAdmin = (options: ShopifyAdminOptions): ShopifyAdmin => {
  const { shop, accessToken, adminUrl, timeoutMs, logger } = options;
  const maxRetries = options.throttle?.maxRetries ?? 5;
  const baseDelayMs = options.throttle?.baseDelayMs ?? 1000;
  const maxDelayMs = options.throttle?.maxDelayMs ?? 30_000;

  const shopify = shopifyApi({
    // A custom app's Admin client signs nothing; the library insists on a secret for OAuth and HMAC features.
    apiSecretKey: 'unused-by-the-admin-client',
    adminApiAccessToken: accessToken,
    isCustomStoreApp: true,
    isEmbeddedApp: false,
    hostName: 'localhost',
    // The config schema checks the YYYY-MM shape; the library accepts any version string at runtime.
    apiVersion: options.apiVersion as ApiVersion,
    logger: {
      level: LogSeverity.Warning,
      httpRequests: false,
      log: async (_severity, message) => logger?.warn(message, { source: '@shopify/shopify-api' }),
    },
  });
  installAdminBaseUrlRouting();
  const graphql = new shopify.clients.Graphql({ session: shopify.session.customAppSession(shop) });
  const budget = createCostBudget();

  const run = async <T>(
    operation: string,
    document: string,
    variables: Record<string, unknown>,
    costKey: string = operation,
  ): Promise<{ data: T; cost: QueryCost | null; headers: unknown }> => {
    for (let attempt = 0; ; attempt += 1) {
      const wait = budget.waitBefore(costKey);
      if (wait > 0) await sleep(Math.min(wait, maxDelayMs));
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await withAdminBaseUrl(adminUrl, () =>
          graphql.request<T>(document, { variables, signal }),
        );
        const cost = readQueryCost(response.extensions) ?? null;
        if (cost) budget.observe(costKey, cost);
        if (response.data === undefined) {
          throw new ShopifyApiError(`Shopify answered ${operation} without data`, true, operation);
        }
        return { data: response.data as T, cost, headers: response.headers };
      } catch (error) {
        const failure = classifyAdminError(error, { operation, signal, timeoutMs });
        if (failure.cost) budget.observe(costKey, failure.cost);
        if (failure.error instanceof ShopifyAccessDeniedError) {
          const { requiredScope, field } = failure.error.denial;
          const key = `${shop}|${requiredScope ?? field ?? operation}`;
          if (!accessDeniedSaid.has(key)) {
            accessDeniedSaid.add(key);
            logger?.warn(failure.error.message, { shop, operation, requiredScope, field });
          }
        }
        if (!failure.throttled) throw failure.error;
        if (attempt >= maxRetries) {
          const { status, codes, cause } = failure.error;
          throw new ShopifyThrottledError(operation, attempt + 1, { status, codes, cause });
        }
        const delayMs = Math.max(
          failure.retryAfterMs ?? 0,
          throttledDelay({ attempt, baseDelayMs, maxDelayMs, ...(failure.cost && { cost: failure.cost }) }),
        );
        logger?.warn('Shopify throttled an Admin API call; waiting before retrying', {
          operation,
          attempt: attempt + 1,
          delayMs,
        });
        await sleep(delayMs);
      }
    }
  };

  return {
    async getOrder(orderId) {
      const id = orderGid(orderId);
      if (!id) {
        throw new ShopifyApiError(
          'getOrder needs a numeric Shopify order id or an Order gid',
          false,
          'OrderSnapshot',
        );
      }
      const { data } = await run<{ order: OrderNode | null }>('OrderSnapshot', orderSnapshotQuery, { id });
      return data.order ? toOrderSnapshot(data.order) : null;
    },

    orderUrl: (orderId) => shopifyOrderUrl(shop, orderId),

    async listOrdersUpdated({ from, to, after, pageSize }) {
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 250) {
        throw new RangeError('pageSize must be an integer from 1 to 250');
      }
      const { data, cost } = await run<{
        orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: OrderNode[] };
      }>(
        'OrdersUpdated',
        ordersUpdatedQuery,
        { first: pageSize, after: after ?? null, query: updatedWindowQuery(from, to) },
        // A page's cost grows with its size, so pages of different sizes are budgeted apart.
        `OrdersUpdated:${pageSize}`,
      );
      return {
        orders: data.orders.nodes.map(toOrderSnapshot),
        endCursor: data.orders.pageInfo.endCursor,
        hasNextPage: data.orders.pageInfo.hasNextPage,
        cost,
      };
    },

    async listOrderSummariesUpdated({ from, to, after, pageSize }) {
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 250) {
        throw new RangeError('pageSize must be an integer from 1 to 250');
      }
      type SummaryNode = Pick<
        OrderNode,
        'id' | 'legacyResourceId' | 'updatedAt' | 'displayFulfillmentStatus'
      >;
      const { data, cost } = await run<{
        orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: SummaryNode[] };
      }>(
        'OrderSummariesUpdated',
        orderSummariesUpdatedQuery,
        { first: pageSize, after: after ?? null, query: updatedWindowQuery(from, to) },
        `OrderSummariesUpdated:${pageSize}`,
      );
      return {
        orders: data.orders.nodes.map(toOrderSummary),
        endCursor: data.orders.pageInfo.endCursor,
        hasNextPage: data.orders.pageInfo.hasNextPage,
        cost,
      };
    },

    async getOrders(orderIds) {
      const ids = orderIds.map((orderId) => orderGid(orderId));
      if (ids.length > 250 || ids.some((id) => id === undefined)) {
        throw new ShopifyApiError(
          'getOrders takes up to 250 numeric order ids or Order gids',
          false,
          'OrderSnapshots',
        );
      }
      if (ids.length === 0) return { orders: [], cost: null };
      const { data, cost } = await run<{ nodes: Array<OrderNode | Record<string, never> | null> }>(
        'OrderSnapshots',
        orderSnapshotsQuery,
        { ids },
        // The cost grows with the number of ids: budgeted by it, in tens.
        `OrderSnapshots:${Math.ceil(ids.length / 10)}`,
      );
      const orders = data.nodes.filter((node): node is OrderNode => Boolean(node && 'id' in node));
      return { orders: orders.map(toOrderSnapshot), cost };
    },

    async listWebhookSubscriptions(topics = monitoredSubscriptionTopics) {
      const { data } = await run<{ webhookSubscriptions: { nodes: SubscriptionNode[] } }>(
        'WebhookSubscriptions',
        webhookSubscriptionsQuery,
        { topics: [...topics] },
      );
      return data.webhookSubscriptions.nodes.map(toSubscription);
    },

    async createWebhookSubscription(topic: SubscriptionTopic, callbackUrl: string) {
      const operation = 'WebhookSubscriptionCreate';
      const { data } = await run<{
        webhookSubscriptionCreate: {
          webhookSubscription: SubscriptionNode | null;
          userErrors: Array<{ field?: string[] | null; message: string }>;
        };
      }>(operation, webhookSubscriptionCreateMutation, { topic, uri: callbackUrl });
      const { webhookSubscription, userErrors } = data.webhookSubscriptionCreate;
      if (userErrors.length > 0 || !webhookSubscription) {
        const messages = userErrors.map((error) => error.message).join('; ');
        throw new ShopifyApiError(
          `Shopify refused to subscribe ${topic}: ${messages || 'no subscription returned'}`,
          false,
          operation,
        );
      }
      return toSubscription(webhookSubscription);
    },

    async appInstallation() {
      const { data, headers } = await run<{
        currentAppInstallation: { accessScopes: Array<{ handle: string }> };
        publicApiVersions: Array<{ handle: string; supported: boolean }>;
      }>('AppInstallation', appInstallationQuery, {});
      return {
        accessScopes: data.currentAppInstallation.accessScopes.map((scope) => scope.handle),
        apiVersions: data.publicApiVersions.map(({ handle, supported }) => ({ handle, supported })),
        servedVersion: headerValue(headers, 'x-shopify-api-version'),
      };
    },
  };
};
