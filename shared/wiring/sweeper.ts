import { createHotwaxRepairJournal } from '../adapters/dynamo/hotwax-repair-journal.js';
import { createSweepCheckpointStore } from '../adapters/dynamo/sweep-checkpoint-store.js';
import type { SweeperConfig } from '../config/config.js';
import { sweepSettingsFromConfig } from '../config/settings.js';
import type { SweepOrdersDeps } from '../use-cases/sweep-orders/sweep-orders.js';
import { createOrderTable, createQueues, runtimeDefaults } from './aws.js';
import { type Overrides, replaced } from './options.js';
import { createHotwaxPort, createShopifyPort } from './shops.js';

/** The sweeper's dependencies for the environment's shop: its Admin API and HotWax, the table, both queues. */
export const createSweeperDeps = (
  config: SweeperConfig,
  overrides: Overrides<SweepOrdersDeps> = {},
): SweepOrdersDeps => {
  const table = createOrderTable(config, overrides);
  const { queue, notifier } = createQueues(config, overrides);
  return {
    ...runtimeDefaults,
    shopify: createShopifyPort(config, overrides),
    // The checker's repair journal: what a crashed Maarg re-import swapped is restored from it.
    hotwax: createHotwaxPort(config, {
      repairJournal: createHotwaxRepairJournal({ client: table.client, tableName: config.TABLE_NAME }),
      ...overrides,
    }),
    store: table.store,
    checkpoints: createSweepCheckpointStore({ client: table.client, tableName: config.TABLE_NAME }),
    queue,
    notifier,
    settings: sweepSettingsFromConfig(config),
    ...replaced(overrides),
  };
};
