import type { ApiConfig } from '../config/config.js';
import type { OrderRepository } from '../domain/ports.js';
import { createOrderTable } from './aws.js';
import { type Overrides, replaced } from './options.js';

export interface ApiDeps {
  store: OrderRepository;
  /** the shop a single-shop deployment serves; picks the record when several shops hold an order id */
  shop: string | undefined;
}

/** The read-only API's dependencies (also the CLI's `status`): the table. */
export const createApiDeps = (config: ApiConfig, overrides: Overrides<ApiDeps> = {}): ApiDeps => ({
  store: createOrderTable(config, overrides).store,
  shop: config.SHOPIFY_SHOP,
  ...replaced(overrides),
});
