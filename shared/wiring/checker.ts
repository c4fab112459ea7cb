import type { CheckerConfig } from '../config/config.js';
import type { CheckOrdersDeps } from '../use-cases/check-orders/check-orders.js';
import { createOrderTable, createQueues, runtimeDefaults } from './aws.js';
import { type Overrides, replaced } from './options.js';
import { createShopDirectory } from './shops.js';

/** Orders in sync within this of their creation count towards the SLO (InSyncWithinSlo). */
const syncSloSeconds = 1800;

/** The checker's dependencies: the table, both queues, and the shops with their HotWax and Shopify. */
export const createCheckerDeps = (
  config: CheckerConfig,
  overrides: Overrides<CheckOrdersDeps> = {},
): CheckOrdersDeps => {
  const { queue, notifier } = createQueues(config, overrides);
  return {
    ...runtimeDefaults,
    store: createOrderTable(config, overrides).store,
    shops: createShopDirectory(config, overrides),
    queue,
    notifier,
    settings: { syncSloSeconds },
    ...replaced(overrides),
  };
};
