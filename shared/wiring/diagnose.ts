import type { ShopConfig } from '../config/config.js';
import type { DiagnoseOrderDeps } from '../use-cases/diagnose-order/diagnose-order.js';
import { type Overrides, replaced } from './options.js';
import { createShopContext } from './shops.js';

/** The CLI's diagnosis: the environment's shop, with its HotWax, Shopify and timings; no table. */
export const createDiagnoseDeps = (
  config: ShopConfig,
  overrides: Overrides<DiagnoseOrderDeps> = {},
): DiagnoseOrderDeps => ({
  shop: createShopContext(config, overrides),
  ...replaced(overrides),
});
