import { createDynamoClient } from '../../shared/adapters/aws/clients.js';
import { createOrderStore } from '../../shared/adapters/dynamo/order-store.js';
import { apiSchema, parseConfig } from '../../shared/config/config.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';

const config = parseConfig(apiSchema, process.env);

export const { logger } = createObservability();
export const { tracer, capture } = createTracing();
export const store = createOrderStore({
  client: createDynamoClient(config, capture),
  tableName: config.TABLE_NAME,
});
export const shop = config.SHOPIFY_SHOP;
