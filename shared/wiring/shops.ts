import { createDeferredHotwaxPort, type HotwaxPortOptions } from '../adapters/hotwax/create-hotwax-port.js';
import { createShopifyAdmin, type ShopifyAdmin } from '../adapters/shopify/admin-client.js';
import type { HotwaxConfig, ShopConfig, ShopifyAdminConfig } from '../config/config.js';
import { shopSettingsFromConfig } from '../config/settings.js';
import type { HotwaxPort, HotwaxRepairJournal, ShopContext, ShopDirectory } from '../domain/ports.js';
import { shopDirectory } from '../domain/shop-directory.js';
import { listOf, type WiringOptions } from './options.js';

/** One shop's Admin API client; the one place `createShopifyAdmin` is wired from configuration. */
export const createShopifyPort = (config: ShopifyAdminConfig, options: WiringOptions = {}): ShopifyAdmin =>
  createShopifyAdmin({
    shop: config.SHOPIFY_SHOP,
    accessToken: config.SHOPIFY_ADMIN_TOKEN,
    apiVersion: config.SHOPIFY_API_VERSION,
    timeoutMs: config.SHOPIFY_TIMEOUT_MS,
    ...(config.SHOPIFY_ADMIN_URL ? { adminUrl: config.SHOPIFY_ADMIN_URL } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });

/**
 * The HotWax port of this shop inside the deployment's tenant. Discovery (OFBiz or Maarg) happens on the port's
 * first call, so a HotWax outage at cold start fails a batch (retried by SQS), not the function's start.
 */
export const createHotwaxPort = (
  config: HotwaxConfig & { SHOPIFY_SHOP?: string },
  options: WiringOptions = {},
): HotwaxPort =>
  createDeferredHotwaxPort(
    hotwaxPortOptionsFromConfig(config, {
      shop: config.SHOPIFY_SHOP ?? '',
      ...(options.repairJournal ? { repairJournal: options.repairJournal } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    }),
    { onDiscovered: (line) => options.logger?.info?.(line) },
  );

/** Everything `createHotwaxPort` needs, from the validated environment. */
export const hotwaxPortOptionsFromConfig = (
  config: HotwaxConfig,
  context: {
    /** the Shopify shop the ids belong to */
    shop: string;
    /** durable journal (DynamoDB) for Maarg re-imports */
    repairJournal?: HotwaxRepairJournal;
    logger?: HotwaxPortOptions['logger'];
  },
): HotwaxPortOptions => ({
  baseUrl: config.HOTWAX_BASE_URL,
  backend: config.HOTWAX_BACKEND,
  ...(config.HOTWAX_MAARG_URL ? { maargUrl: config.HOTWAX_MAARG_URL } : {}),
  ...(config.HOTWAX_API_TOKEN ? { apiToken: config.HOTWAX_API_TOKEN } : {}),
  ...(config.HOTWAX_USERNAME ? { username: config.HOTWAX_USERNAME } : {}),
  ...(config.HOTWAX_PASSWORD ? { password: config.HOTWAX_PASSWORD } : {}),
  timeoutMs: config.HOTWAX_TIMEOUT_MS,
  shop: context.shop,
  shopifyConfigId: config.HOTWAX_SHOPIFY_CONFIG_ID,
  shopId: config.HOTWAX_SHOP_ID,
  productStoreId: config.HOTWAX_PRODUCT_STORE_ID,
  orderMdmConfigId: config.HOTWAX_ORDER_MDM_CONFIG_ID,
  ...(config.HOTWAX_ORDER_URL_TEMPLATE ? { orderUrlTemplate: config.HOTWAX_ORDER_URL_TEMPLATE } : {}),
  ...(config.HOTWAX_IMPORT_ORDER_SERVICE ? { importOrderService: config.HOTWAX_IMPORT_ORDER_SERVICE } : {}),
  ...(config.HOTWAX_IMPORT_ORDER_PAYLOAD ? { importOrderPayload: config.HOTWAX_IMPORT_ORDER_PAYLOAD } : {}),
  ...(config.HOTWAX_REFRESH_ORDER_SERVICE
    ? { refreshOrderService: config.HOTWAX_REFRESH_ORDER_SERVICE }
    : {}),
  timeZone: config.HOTWAX_TIME_ZONE,
  systemMessageRemoteId: config.HOTWAX_SYSTEM_MESSAGE_REMOTE_ID ?? config.HOTWAX_SHOPIFY_CONFIG_ID,
  repairGraceMs: config.HOTWAX_REPAIR_GRACE_SECONDS * 1000,
  ...(context.repairJournal ? { repairJournal: context.repairJournal } : {}),
  ...(context.logger ? { logger: context.logger } : {}),
});

export const createShopContext = (config: ShopConfig, options: WiringOptions = {}): ShopContext => ({
  shop: config.SHOPIFY_SHOP,
  hotwax: createHotwaxPort(config, options),
  shopify: createShopifyPort(config, options),
  settings: shopSettingsFromConfig(config),
});

/**
 * The shops the deployment serves: a single-shop environment's one (SHOPIFY_SHOP and its HotWax ids), or every shop
 * of SHOPS_FILE, each with its own Admin API token, HotWax ids and timings (`parseShops`).
 */
export const createShopDirectory = (
  configs: ShopConfig | readonly ShopConfig[],
  options: WiringOptions = {},
): ShopDirectory => shopDirectory(listOf(configs).map((config) => createShopContext(config, options)));
