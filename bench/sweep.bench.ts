import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ensureTable, startEmulators } from '../local/emulators.js';
import { localClients } from '../local/local-aws.js';
import { createOrderRepository } from '../shared/adapters/dynamo/order-repository.js';
import { createSweepCheckpointStore } from '../shared/adapters/dynamo/sweep-checkpoint-store.js';
import { createShopifyAdmin } from '../shared/adapters/shopify/admin-client.js';
import { createCheckQueue } from '../shared/adapters/sqs/check-queue.js';
import { createNotifyQueue } from '../shared/adapters/sqs/notify-queue.js';
import { defaultSweepSettings } from '../shared/config/settings.js';
import { applyOrderSeen } from '../shared/domain/apply-order-seen.js';
import type { OrderRecord } from '../shared/domain/order-sync.js';
import { parseOrderPayload, toOrderFacts } from '../shared/domain/shopify-order-payload.js';
import { silentTelemetry } from '../shared/observability/telemetry.js';
import { sweepOrders } from '../shared/use-cases/sweep-orders/sweep-orders.js';
import { startShopifySim } from '../sim/shopify/admin-sim.js';
import { buildOrderPayload } from '../sim/shopify/order-payload.js';

/**
 * One reconciliation sweep over a busy hour: `orders` orders updated in Shopify (the simulator), most already
 * recorded because their webhooks arrived, `missing` whose webhooks were lost, `fulfilledMissed` fulfilled without
 * their orders/fulfilled webhook, `overdue` with a lost check message. DynamoDB Local and fauxqs are real.
 *
 * Shopify's Admin API is rate-limited by cost points, not calls; the sweep's cost is per order listed, so its wall
 * time is set by the shop's plan. The default is Shopify Plus (bucket 20,000, 1,000 points/s): only such shops have
 * 10,000 orders an hour. `standardPlanSeconds` says how long the same points take at the standard 100 points/s.
 */
export interface SweepBenchOptions {
  orders?: number;
  missing?: number;
  fulfilledMissed?: number;
  overdue?: number;
  pageSize?: number;
  plan?: 'plus' | 'standard';
}

/** The default SWEEP_INTERVAL_SECONDS: how long one run's refill may take before the next run starts. */
const sweepIntervalSeconds = 900;

const plans = {
  plus: { bucketSize: 20_000, restoreRate: 1_000 },
  standard: { bucketSize: 2_000, restoreRate: 100 },
} as const;

const mapLimit = async <T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>) => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
};

/** Counts the SDK calls a client sends, by command. */
const countCalls = (client: { middlewareStack: DynamoDBClient['middlewareStack'] }) => {
  const calls = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String((context as { commandName?: string }).commandName ?? 'unknown');
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return {
    total: () => [...calls.values()].reduce((sum, value) => sum + value, 0),
    byCommand: () =>
      [...calls.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([name, count]) => `${name.replace(/Command$/, '')} ${count}`)
        .join(', '),
  };
};

export async function benchSweep(options: SweepBenchOptions = {}): Promise<Record<string, number | string>> {
  const count = options.orders ?? Number(process.env.BENCH_SWEEP_ORDERS ?? 10_000);
  const missing = options.missing ?? Math.round(count * 0.03);
  const fulfilledMissed = options.fulfilledMissed ?? Math.round(count * 0.005);
  const overdue = options.overdue ?? Math.round(count * 0.002);
  const pageSize = options.pageSize ?? defaultSweepSettings.pageSize;
  const plan = options.plan ?? 'plus';
  const shop = 'bench-sweep.myshopify.com';
  const callbackUrl = 'https://hooks.example.com/webhooks/shopify';

  const emulators = await startEmulators();
  const sim = await startShopifySim({ shop, ...plans[plan] });
  const clients: Array<{ destroy(): void }> = [];
  try {
    // --- the shop's hour: orders in Shopify, records for the ones whose webhooks arrived --------------------
    const setup = localClients(emulators);
    clients.push(setup);
    const { dynamo: setupDynamo, sqs: setupSqs } = setup;
    const tableName = 'bench-sweep';
    await ensureTable(setupDynamo, tableName);
    const queueUrl = async (name: string) =>
      (await setupSqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? '';
    const checkQueueUrl = await queueUrl('bench-sweep-checks');
    const notifyQueueUrl = await queueUrl('bench-sweep-notifications');
    const setupStore = createOrderRepository({ client: setup.doc, tableName });

    const now = Date.now();
    const payloads = Array.from({ length: count }, (_, index) => {
      // Spread over the last 50 minutes, inside the first sweep's one-hour look-back.
      const createdAt = new Date(now - 50 * 60_000 + Math.floor((index / count) * 49 * 60_000)).toISOString();
      const fulfilled = index % Math.max(1, Math.floor(count / fulfilledMissed)) === 1;
      return buildOrderPayload({
        id: 6_000_000_000_000 + index,
        createdAt,
        sourceName: index % 3 === 0 ? 'pos' : 'web',
        ...(fulfilled ? { fulfillmentStatus: 'fulfilled' } : {}),
      });
    });
    for (const payload of payloads) await sim.addOrder(payload);
    for (const topic of ['ORDERS_CREATE', 'ORDERS_FULFILLED'])
      sim.createWebhookSubscription(topic, callbackUrl);

    const missingEvery = Math.max(1, Math.floor(count / Math.max(1, missing)));
    const isMissing = (index: number) =>
      missing > 0 && index % missingEvery === 0 && index / missingEvery < missing;
    let overdueLeft = overdue;
    const seeded = payloads.filter((_, index) => !isMissing(index));
    await mapLimit(seeded, 32, async (payload) => {
      const facts = toOrderFacts(shop, parseOrderPayload(JSON.stringify(payload)));
      const at = facts.createdAt + 2_000;
      // The webhook only said "created": a fulfilled order here is one whose orders/fulfilled webhook was lost.
      const { record, event } = applyOrderSeen(undefined, {
        facts: { ...facts, fulfillmentStatus: null },
        expectation: 'created',
        via: 'orders/create',
        at,
        checkDelayMs: 600_000,
      });
      let stored: OrderRecord = record;
      if (overdueLeft > 0 && facts.createdAt < now - 30 * 60_000) {
        overdueLeft -= 1; // its check message was lost: nextCheckAt stays in the past
      } else {
        const { nextCheckAt: _checked, ...rest } = record;
        stored = { ...rest, state: 'in_sync', stateSince: at + 600_000, inSyncAt: at + 600_000 };
      }
      await setupStore.save(stored, { expectedVersion: undefined, events: [event], now: at });
    });

    // --- the sweep, on clients of its own so their calls can be counted -----------------------------------------
    const swept = localClients(emulators);
    clients.push(swept);
    const { dynamo, sqs, doc } = swept;
    const dynamoCalls = countCalls(dynamo);
    const sqsCalls = countCalls(sqs as unknown as DynamoDBClient);
    const callsBefore = sim.callCount();
    const costBefore = sim.totalQueryCost();

    const started = performance.now();
    const sweepNow = Date.now();
    const summary = await sweepOrders(
      {
        shopify: createShopifyAdmin({
          shop,
          accessToken: sim.accessToken,
          apiVersion: sim.apiVersion,
          adminUrl: sim.url,
          timeoutMs: 30_000,
        }),
        // What this bench measures is Shopify's side; HotWax's flows cost two or three calls per sweep.
        hotwax: { importFlowHealth: async () => [], recoverInterruptedRepairs: async () => 0 },
        store: createOrderRepository({ client: doc, tableName }),
        checkpoints: createSweepCheckpointStore({ client: doc, tableName }),
        queue: createCheckQueue({ client: sqs, queueUrl: checkQueueUrl }),
        notifier: createNotifyQueue({ client: sqs, queueUrl: notifyQueueUrl }),
        telemetry: silentTelemetry,
        clock: { now: () => Date.now() },
        settings: { ...defaultSweepSettings, shop, pageSize, webhookCallbackUrl: callbackUrl },
      },
      { now: sweepNow, deadline: sweepNow + 15 * 60_000 },
    );
    const wallMs = performance.now() - started;

    const { Attributes } = await setupSqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: checkQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const queued =
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
    const queryCost = sim.totalQueryCost() - costBefore;
    return {
      orders: count,
      pageSize,
      shopifyPlan: `${plan} (bucket ${plans[plan].bucketSize}, ${plans[plan].restoreRate} points/s)`,
      completed: String(summary.completed),
      ordersSeen: summary.ordersSeen,
      webhooksMissed: summary.webhooksMissed,
      expectationsApplied: summary.expectationsApplied,
      overdueRecovered: summary.overdueRecovered,
      checksQueued: queued,
      pages: summary.pages,
      graphqlCalls: sim.callCount() - callsBefore,
      throttled: sim.throttledCount(),
      shopifyQueryCost: queryCost,
      costPerOrder: Number((queryCost / Math.max(1, summary.ordersSeen)).toFixed(2)),
      standardPlanSeconds: Math.round(
        Math.max(0, queryCost - plans.standard.bucketSize) / plans.standard.restoreRate,
      ),
      // One sweep run may spend the full bucket plus what refills during the sweep interval.
      standardPlanBudgetPerRun: plans.standard.bucketSize + plans.standard.restoreRate * sweepIntervalSeconds,
      standardPlanBudgetUsed: `${Math.round((queryCost / (plans.standard.bucketSize + plans.standard.restoreRate * sweepIntervalSeconds)) * 100)} %`,
      // By construction: the sweep has no HotWax port. The checks it queues reach HotWax through the checker, which
      // looks a whole SQS batch up in one performFind.
      hotwaxCalls: 0,
      dynamoCalls: dynamoCalls.total(),
      dynamoCallsByCommand: dynamoCalls.byCommand(),
      sqsCalls: sqsCalls.total(),
      sqsCallsByCommand: sqsCalls.byCommand(),
      wallSeconds: Number((wallMs / 1000).toFixed(1)),
      ordersPerSecond: Math.round(summary.ordersSeen / (wallMs / 1000)),
    };
  } finally {
    for (const client of clients) client.destroy();
    await sim.stop();
    await emulators.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const orders = process.argv[2] ? Number(process.argv[2]) : undefined;
  const pageSize = process.argv[3] ? Number(process.argv[3]) : undefined;
  const figures = await benchSweep({ ...(orders ? { orders } : {}), ...(pageSize ? { pageSize } : {}) });
  for (const [name, value] of Object.entries(figures)) process.stdout.write(`${name.padEnd(22)} ${value}\n`);
  process.exit(0);
}
