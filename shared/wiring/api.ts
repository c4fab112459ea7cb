import { createDynamoClient } from '../adapters/aws/clients.js';
import { createOrderRepository } from '../adapters/dynamo/order-repository.js';
import type { ApiConfig } from '../config/config.js';
import type { OrderRepository } from '../domain/ports.js';
import { awsOptions, type Overrides, replaced } from './options.js';

export interface ApiDeps {
  store: OrderRepository;
  /** the shop a single-shop deployment serves; picks the record when several shops hold an order id */
  shop: string | undefined;
}

/** The read-only API's dependencies (also the CLI's `status`): the table. */
export const createApiDeps = (config: ApiConfig, overrides: Overrides<ApiDeps> = {}): ApiDeps => ({
  store: createOrderRepository({
    client: createDynamoClient(config, awsOptions(overrides)),
    tableName: config.TABLE_NAME,
  }),
  shop: config.SHOPIFY_SHOP,
  ...replaced(overrides),
});
