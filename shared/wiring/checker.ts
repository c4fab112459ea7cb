import { createHotwaxRepairJournal } from '../adapters/dynamo/hotwax-repair-journal.js';
import { createImportLagStore } from '../adapters/dynamo/import-lag-store.js';
import type { RetryLater } from '../adapters/sqs/retry-later.js';
import { type CheckerConfig, importLagLearning } from '../config/config.js';
import type { CheckOrdersDeps } from '../use-cases/check-orders/check-orders.js';
import { createRedriveWhenHealthy } from '../use-cases/redrive-dead-letters/redrive-dead-letters.js';
import { createOrderTable, createQueueRetries, createQueues, runtimeDefaults } from './aws.js';
import { listOf, type Overrides, replaced } from './options.js';
import { createShopDirectory } from './shops.js';

/** Orders in sync within this of their creation count towards the SLO (InSyncWithinSlo). */
const syncSloSeconds = 1800;

export interface CheckerDeps extends CheckOrdersDeps {
  /** holds the batch's failed records back for the retry schedule's wait */
  retryLater: RetryLater;
  /** after a batch in which HotWax answered: moves dead-lettered checks back to the check queue */
  redriveWhenHealthy: () => Promise<void>;
}

/**
 * The checker's dependencies: the table, both queues, every shop with its HotWax ids and Shopify, and what its
 * handler does with failed records and the check DLQ.
 */
export const createCheckerDeps = (
  configs: CheckerConfig | readonly CheckerConfig[],
  overrides: Overrides<CheckerDeps> = {},
): CheckerDeps => {
  const shops = listOf(configs);
  const config = shops[0] as CheckerConfig;
  const { queue, notifier } = createQueues(config, overrides);
  const table = createOrderTable(config, overrides);
  const telemetry = overrides.telemetry ?? runtimeDefaults.telemetry;
  const clock = overrides.clock ?? runtimeDefaults.clock;
  const { retryLater, deadLetters } = createQueueRetries(
    { ...config, queueUrl: config.CHECK_QUEUE_URL, dlqUrl: config.CHECK_DLQ_URL },
    { ...overrides, telemetry },
  );
  return {
    ...runtimeDefaults,
    retryLater,
    redriveWhenHealthy: deadLetters
      ? createRedriveWhenHealthy({ deadLetters, telemetry, clock }, { queue: 'checks' })
      : async () => {},
    store: table.store,
    // Maarg re-imports swap the fallback job's fromDate: the originals are journalled in the table first.
    shops: createShopDirectory(shops, {
      repairJournal: createHotwaxRepairJournal({ client: table.client, tableName: config.TABLE_NAME }),
      ...overrides,
    }),
    queue,
    notifier,
    settings: { syncSloSeconds },
    importLags: createImportLagStore({
      client: table.client,
      tableName: config.TABLE_NAME,
      maxSamples: importLagLearning.maxSamples,
    }),
    ...replaced(overrides),
  };
};
