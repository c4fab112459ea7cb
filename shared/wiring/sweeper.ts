import { createSqsClient } from '../adapters/aws/clients.js';
import { createHotwaxRepairJournal } from '../adapters/dynamo/hotwax-repair-journal.js';
import { createSweepCheckpointStore } from '../adapters/dynamo/sweep-checkpoint-store.js';
import { createDeadLetterQueue } from '../adapters/sqs/dead-letter-queue.js';
import type { SweeperConfig } from '../config/config.js';
import { sweepSettingsFromConfig } from '../config/settings.js';
import type { SweepOrdersDeps } from '../use-cases/sweep-orders/sweep-orders.js';
import { createOrderTable, createQueues, runtimeDefaults } from './aws.js';
import { awsOptions, type Overrides, replaced } from './options.js';
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
    deadLetters: deadLettersOf(config, overrides),
    ...replaced(overrides),
  };
};

/**
 * Every shop's sweep (SHOPS_FILE, or the one shop of the environment): each its own Admin API, HotWax ids, lease and
 * checkpoint. The DLQs are the deployment's: only the first shop's sweep probes them.
 */
export const createShopSweeps = (
  configs: readonly SweeperConfig[],
  overrides: Overrides<SweepOrdersDeps> = {},
): SweepOrdersDeps[] =>
  configs.map((config, index) => {
    const deps = createSweeperDeps(config, overrides);
    if (index === 0) return deps;
    const { deadLetters: _deployment, ...shopOnly } = deps;
    return shopOnly;
  });

/** The DLQs the sweep probes: those configured (the stack sets both). */
const deadLettersOf = (config: SweeperConfig, overrides: Overrides<SweepOrdersDeps>) => {
  const client = createSqsClient(config, awsOptions(overrides));
  const pairs = [
    { queue: 'checks', dlqUrl: config.CHECK_DLQ_URL, sourceUrl: config.CHECK_QUEUE_URL },
    { queue: 'notifications', dlqUrl: config.NOTIFY_DLQ_URL, sourceUrl: config.NOTIFY_QUEUE_URL },
  ];
  return pairs.flatMap(({ queue, dlqUrl, sourceUrl }) =>
    dlqUrl
      ? [{ queue, deadLetters: createDeadLetterQueue({ client, dlqUrl, sourceUrl, strategy: 'copy' }) }]
      : [],
  );
};
