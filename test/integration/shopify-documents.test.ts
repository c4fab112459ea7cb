import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  type GraphQLInputType,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  NoDeprecatedCustomRule,
  parse,
  specifiedRules,
  typeFromAST,
  validate,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyAdmin } from '../../shared/adapters/shopify/admin-client.js';
import * as adminQueries from '../../shared/adapters/shopify/admin-queries.js';
import { shopifyAdminFields } from '../../shared/config/config.js';
import { latestStableAdminVersion, loadAdminSchema } from '../../sim/shopify/admin-schema.js';
import { type ShopifySim, type SimRequest, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload } from '../../sim/shopify/order-payload.js';

const defaultVersion = shopifyAdminFields.shape.SHOPIFY_API_VERSION.parse(undefined);
const versions = [...new Set([defaultVersion, latestStableAdminVersion()])];
const documents: Array<[string, string]> = Object.entries(adminQueries as Record<string, unknown>).flatMap(
  ([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : []),
);

/** Deprecated enum values and input fields inside a variable's value (NoDeprecatedCustomRule sees literals only). */
const deprecatedIn = (value: unknown, type: GraphQLInputType, path: string): string[] => {
  if (value === null || value === undefined) return [];
  if (isNonNullType(type)) return deprecatedIn(value, type.ofType, path);
  if (isListType(type)) {
    return (Array.isArray(value) ? value : [value]).flatMap((item, index) =>
      deprecatedIn(item, type.ofType, `${path}.${index}`),
    );
  }
  const named = getNamedType(type);
  if (isEnumType(named)) {
    const reason = named.getValue(String(value))?.deprecationReason;
    return reason ? [`${path}: ${named.name}.${String(value)} is deprecated (${reason})`] : [];
  }
  if (isInputObjectType(named) && typeof value === 'object') {
    const fields = named.getFields();
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
      const field = fields[key];
      if (!field) return [];
      const own = field.deprecationReason ? [`${path}.${key}: deprecated (${field.deprecationReason})`] : [];
      return [...own, ...deprecatedIn(child, field.type, `${path}.${key}`)];
    });
  }
  return [];
};

/** Drives every method of the real Admin client against the simulator; the simulator records what was sent. */
const sendEverything = async (sim: ShopifySim, apiVersion: string) => {
  const admin = createShopifyAdmin({
    shop: sim.shop,
    accessToken: sim.accessToken,
    apiVersion,
    adminUrl: sim.url,
    timeoutMs: 5_000,
  });
  const at = Date.parse('2026-11-02T10:00:00Z');
  for (const offset of [0, 1_000]) {
    const time = new Date(at + offset).toISOString();
    await sim.addOrder(buildOrderPayload({ createdAt: time, updatedAt: time }));
  }
  const [first] = sim.orderIds();
  await admin.getOrder(String(first));
  const page = await admin.listOrdersUpdated({ from: at, to: at + 60_000, pageSize: 1 });
  expect(page.hasNextPage).toBe(true);
  await admin.listOrdersUpdated({ from: at, to: at + 60_000, pageSize: 1, after: page.endCursor });
  // The sweep's light listing, and the full snapshots of the orders it picks (an unknown id is left out).
  const summaries = await admin.listOrderSummariesUpdated({ from: at, to: at + 60_000, pageSize: 1 });
  expect(summaries.orders).toEqual([
    { orderId: page.orders[0]?.orderId, updatedAt: page.orders[0]?.updatedAt, fulfillmentStatus: null },
  ]);
  await admin.listOrderSummariesUpdated({
    from: at,
    to: at + 60_000,
    pageSize: 1,
    after: summaries.endCursor,
  });
  const snapshots = await admin.getOrders([String(page.orders[0]?.orderId), '999999999999']);
  expect(snapshots.orders).toEqual(page.orders);
  await admin.listWebhookSubscriptions();
  await admin.appInstallation();
  await admin.createWebhookSubscription('ORDERS_CREATE', 'https://monitor.example.com/webhooks/shopify');
  return sim.requests();
};

describe.each(versions)('every GraphQL document the monitor sends, against Admin API %s', (version) => {
  let sim: ShopifySim;
  let sent: SimRequest[];
  const { schema } = loadAdminSchema(version);
  beforeAll(async () => {
    sim = await startShopifySim({ bucketSize: 100_000, restoreRate: 100_000 });
    sent = await sendEverything(sim, version);
  });
  afterAll(() => sim.stop());

  it('exercises every document of admin-queries.ts through the real client', () => {
    const queries = new Set(sent.map((request) => request.query));
    expect(documents.length).toBeGreaterThan(0);
    for (const [name, document] of documents) expect(queries.has(document), name).toBe(true);
    expect(sent.every((request) => request.apiVersion === version)).toBe(true);
  });

  it('was answered without a single GraphQL error by the strict simulator', () => {
    expect(sent.map((request) => [request.operationName, request.errorCodes])).toEqual(
      sent.map((request) => [request.operationName, []]),
    );
  });

  it('validates against the schema, with no deprecated field, argument or enum value', () => {
    for (const request of sent) {
      const errors = validate(schema, parse(request.query ?? ''), [
        ...specifiedRules,
        NoDeprecatedCustomRule,
      ]);
      expect(
        errors.map((error) => error.message),
        request.operationName,
      ).toEqual([]);
    }
  });

  it('sends variables that coerce to the declared types and use nothing deprecated', () => {
    for (const request of sent) {
      const operation = getOperationAST(parse(request.query ?? ''));
      expect(operation, request.operationName).toBeTruthy();
      const definitions = operation?.variableDefinitions ?? [];
      const coerced = getVariableValues(schema, definitions, request.variables);
      expect(coerced.errors?.map((error) => error.message) ?? [], request.operationName).toEqual([]);
      const deprecated = definitions.flatMap((definition) => {
        const type = typeFromAST(schema, definition.type) as GraphQLInputType;
        const name = definition.variable.name.value;
        return deprecatedIn(request.variables[name], type, `$${name}`);
      });
      expect(deprecated, request.operationName).toEqual([]);
    }
  });
});

describe('where GraphQL documents live', () => {
  const sourceFiles = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return sourceFiles(path);
      return path.endsWith('.ts') ? [path] : [];
    });

  it('keeps every document the product sends in admin-queries.ts, where the tests above find it', () => {
    const root = new URL('../../', import.meta.url).pathname;
    const outside = ['shared', 'functions', 'local']
      .flatMap((dir) => sourceFiles(join(root, dir)))
      .filter((file) => !file.endsWith('shared/adapters/shopify/admin-queries.ts'))
      .filter((file) => /#graphql|\b(?:query|mutation)\s+[A-Z]\w*\s*[({]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(outside).toEqual([]);
  });
});
