import { hotwaxClientOptionsFromConfig } from '../adapters/hotwax/hotwax-client.js';
import { createLegacyHotwaxPort } from '../adapters/hotwax/legacy-port.js';
import { createShopifyAdmin, type ShopifyAdmin } from '../adapters/shopify/admin-client.js';
import type { HotwaxConfig, ShopConfig, ShopifyAdminConfig } from '../config/config.js';
import { shopSettingsFromConfig } from '../config/settings.js';
import type { HotwaxPort, ShopContext, ShopDirectory } from '../domain/ports.js';
import { shopDirectory } from '../domain/shop-directory.js';
import type { WiringOptions } from './options.js';

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

/** The HotWax port of the tenant (today's OFBiz client behind the shim). */
export const createHotwaxPort = (config: HotwaxConfig, options: WiringOptions = {}): HotwaxPort => {
  return createLegacyHotwaxPort({
    ...hotwaxClientOptionsFromConfig(config),
    ...(options.logger ? { logger: options.logger } : {}),
  });
};

export const createShopContext = (config: ShopConfig, options: WiringOptions = {}): ShopContext => ({
  shop: config.SHOPIFY_SHOP,
  hotwax: createHotwaxPort(config, options),
  shopify: createShopifyPort(config, options),
  settings: shopSettingsFromConfig(config),
});

/** The shops of a single-shop environment (SHOPIFY_SHOP and its HotWax ids): a directory of one. */
export const createShopDirectory = (config: ShopConfig, options: WiringOptions = {}): ShopDirectory =>
  shopDirectory([createShopContext(config, options)]);
