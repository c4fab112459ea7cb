import { createHotwaxRepairJournal } from '../adapters/dynamo/hotwax-repair-journal.js';
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
  const table = createOrderTable(config, overrides);
  return {
    ...runtimeDefaults,
    store: table.store,
    // Maarg re-imports swap the fallback job's fromDate: the originals are journalled in the table first.
    shops: createShopDirectory(config, {
      repairJournal: createHotwaxRepairJournal({ client: table.client, tableName: config.TABLE_NAME }),
      ...overrides,
    }),
    queue,
    notifier,
    settings: { syncSloSeconds },
    ...replaced(overrides),
  };
};
