import { createDynamoClient } from '../../shared/adapters/aws/clients.js';
import { createOrderStore } from '../../shared/adapters/dynamo/order-store.js';
import { apiSchema, parseConfig } from '../../shared/config/config.js';
import { createObservability } from '../../shared/observability/powertools.js';

const config = parseConfig(apiSchema, process.env);

export const { logger } = createObservability();
export const store = createOrderStore({ client: createDynamoClient(config), tableName: config.TABLE_NAME });
export const shop = config.SHOPIFY_SHOP;
