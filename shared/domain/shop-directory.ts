import type { ShopContext, ShopDirectory } from './ports.js';

/** The shops a deployment serves, by `<name>.myshopify.com` (a single-shop environment gives one). */
export const shopDirectory = (shops: readonly ShopContext[]): ShopDirectory => {
  const byShop = new Map(shops.map((context) => [context.shop, context]));
  return { list: () => [...byShop.values()], get: (shop) => byShop.get(shop) };
};
