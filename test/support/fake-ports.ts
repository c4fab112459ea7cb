import { defaultShopSettings } from '../../shared/config/settings.js';
import type { HotwaxCapabilities, HotwaxPort, ShopContext, ShopifyPort } from '../../shared/domain/ports.js';

/** What today's OFBiz tenant can do without optional services: the New Orders job, no refresh. */
export const ofbizCapabilities: HotwaxCapabilities = {
  backend: 'ofbiz',
  canRefresh: false,
  reimportRepairsStuck: false,
  reimportScope: 'window',
  approval: 'job',
};

/** What a Maarg tenant can do: no refresh, a re-import (the fallback sync) updates an order in place, approval by
 *  the product store's autoApproveOrder. */
export const maargCapabilities: HotwaxCapabilities = {
  backend: 'maarg',
  canRefresh: false,
  reimportRepairsStuck: true,
  reimportScope: 'window',
  approval: 'store_setting',
};

const unexpected = (name: string) => async () => {
  throw new Error(`unexpected call: ${name}`);
};

/** A HotWax port that answers only what a test gives it (and fails loudly on anything else). */
export const fakeHotwax = (overrides: Partial<HotwaxPort> = {}): HotwaxPort => ({
  capabilities: ofbizCapabilities,
  findOrdersByShopifyIds: async () => new Map(),
  reimport: async () => ({ kind: 'new_orders_job', detail: 'fake run', requestedAt: 0 }),
  findImportFailures: async () => new Map(),
  approvalStatus: async () => ({ mechanism: 'job', enabled: true, recentRunStatuses: [] }),
  importFlowHealth: async () => [],
  recoverInterruptedRepairs: async () => 0,
  orderUrl: (id) => `https://hotwax.example/orders/${id}`,
  ...overrides,
});

export const fakeShopify = (overrides: Partial<ShopifyPort> = {}): ShopifyPort => ({
  getOrder: async () => null,
  orderUrl: (id) => `https://admin.shopify.com/store/acme/orders/${id}`,
  listOrdersUpdated: unexpected('listOrdersUpdated'),
  listOrderSummariesUpdated: unexpected('listOrderSummariesUpdated'),
  getOrders: unexpected('getOrders'),
  listWebhookSubscriptions: unexpected('listWebhookSubscriptions'),
  createWebhookSubscription: unexpected('createWebhookSubscription'),
  ...overrides,
});

/** One shop with fake ports at DESIGN.md's default timings. */
export const fakeShop = (shop: string, overrides: Partial<ShopContext> = {}): ShopContext => ({
  shop,
  hotwax: fakeHotwax(),
  shopify: fakeShopify(),
  settings: defaultShopSettings,
  ...overrides,
});
