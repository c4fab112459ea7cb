import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { localCredentials } from '../local/local-aws.js';
import { type QueuePoller, startQueuePoller } from '../local/queue-poller.js';
import { checkerBatching } from '../shared/config/config.js';
import type { CheckMessage } from '../shared/domain/order-sync.js';
import { createOrderTable, createQueues } from '../shared/wiring/aws.js';
import { startHotwaxSim } from '../sim/hotwax/hotwax-sim.js';
import { startShopifySim } from '../sim/shopify/admin-sim.js';
import { nextOrderId } from '../sim/shopify/order-payload.js';
import { createdByWebhook, webOrderFacts } from '../test/support/order-fixtures.js';
import { startBenchAws } from './aws-harness.js';
import { percentile, round } from './stats.js';

const flashShop = 'bench-flash.myshopify.com';
const trickleShop = 'bench-trickle.myshopify.com';
const flashOrders = 2_000;
const trickleOrders = 40;
const trickleEveryMs = 250;
/** Concurrent checker invocations: Lambda's SQS event source starts with five pollers on a standard queue. */
const checkerConcurrency = 5;

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * One deployment, two shops (SHOPS_FILE) on one check queue: a flash sale of 2,000 orders in one shop while the
 * other has a steady trickle (one order every 250 ms). Detection latency of a trickle order = from its check being due
 * to the checker having decided it (its record's `stateSince`). Measured through the real checker handler, fed by the
 * queue poller `npm start` uses (five of them, as Lambda starts) with the checker's own batching (`checkerBatching`:
 * the batch size and window the CDK gives its event source and `npm start` its poller), on DynamoDB Local, fauxqs
 * (delivering as an SQS fair queue, the shop being the message group: `local/fair-queue.ts`) and the HotWax
 * simulator. A trickle order alone waits up to the batching window for its batch to close; during the sale, batches
 * fill at once. Figures, no pass/fail.
 */
export const benchShops = async (): Promise<Record<string, number | string>> => {
  const aws = await startBenchAws();
  const hotwax = await startHotwaxSim({
    backend: 'ofbiz',
    shopifyConfigId: 'SHOPIFY_FLASH',
    shopId: 'SHOP_FLASH',
    otherShopifyConfigIds: ['SHOPIFY_TRICKLE'],
  });
  const flash = await startShopifySim({ shop: flashShop, accessToken: 'shpat_flash' });
  const trickle = await startShopifySim({ shop: trickleShop, accessToken: 'shpat_trickle' });
  const dir = mkdtempSync(join(tmpdir(), 'bench-shops-'));
  const shopsFile = join(dir, 'shops.json');
  const entry = (shop: string, sim: typeof flash, id: string) => ({
    shop,
    hotwax: { shopId: `SHOP_${id}`, shopifyConfigId: `SHOPIFY_${id}`, productStoreId: 'STORE' },
    secrets: { adminToken: `SHOPIFY_ADMIN_TOKEN_${id}` },
    overrides: { SHOPIFY_ADMIN_URL: sim.url, CHECK_DELAY_SECONDS: 0 },
  });
  writeFileSync(
    shopsFile,
    JSON.stringify({ shops: [entry(flashShop, flash, 'FLASH'), entry(trickleShop, trickle, 'TRICKLE')] }),
  );
  const pollers: QueuePoller[] = [];
  try {
    const {
      HOTWAX_IMPORT_ORDER_SERVICE: _perOrder,
      HOTWAX_REFRESH_ORDER_SERVICE: _refresh,
      HOTWAX_SHOP_ID: _shopId,
      HOTWAX_SHOPIFY_CONFIG_ID: _configId,
      HOTWAX_PRODUCT_STORE_ID: _store,
      ...tenant
    } = hotwax.env();
    Object.assign(process.env, {
      ...aws.env,
      ...tenant,
      SHOPS_FILE: shopsFile,
      SHOPIFY_ADMIN_TOKEN_FLASH: flash.accessToken,
      SHOPIFY_ADMIN_TOKEN_TRICKLE: trickle.accessToken,
      SHOPIFY_API_VERSION: flash.apiVersion,
    });
    // The function as Lambda loads it: its configuration (both shops) is read when the module loads.
    const { handler } = (await import('../functions/checker/handler.js')) as unknown as {
      handler: SqsHandler;
    };
    const config = { ...aws.env, AWS_REGION: 'us-east-1', SQS_ENDPOINT: aws.sqsEndpoint };
    const { store } = createOrderTable(
      { ...config, DYNAMODB_ENDPOINT: aws.dynamoEndpoint },
      { credentials: localCredentials },
    );
    const { queue } = createQueues(config, { credentials: localCredentials });
    for (let index = 0; index < checkerConcurrency; index++) {
      pollers.push(
        startQueuePoller({
          client: aws.sqs,
          queueUrl: aws.checkQueue.url,
          queueArn: aws.checkQueue.arn,
          functionName: 'checker',
          handler,
          batchSize: checkerBatching.batchSize,
          maxBatchingWindowSeconds: checkerBatching.maxBatchingWindowSeconds,
        }),
      );
    }

    /** An order as its webhook leaves it (record saved, check queued, due at once); HotWax has it. */
    const order = async (shop: string): Promise<CheckMessage> => {
      const orderId = String(nextOrderId());
      const now = Date.now();
      hotwax.addOrder({ externalId: orderId, statusId: 'ORDER_APPROVED' });
      const { record, check } = createdByWebhook(webOrderFacts(now, { shop, orderId }), now, 0);
      await store.save(record, { expectedVersion: undefined, events: [], now });
      return check as CheckMessage;
    };
    const send = (checks: CheckMessage[]) => queue.schedule(checks, Date.now());

    const trickleRun = async () => {
      const due: CheckMessage[] = [];
      for (let index = 0; index < trickleOrders; index++) {
        const check = await order(trickleShop);
        await send([check]);
        due.push(check);
        await sleep(trickleEveryMs);
      }
      return due;
    };
    /** Detection latency (ms) of each check: due → decided, once every one is decided. */
    const latencies = async (checks: readonly CheckMessage[], timeoutMs = 600_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const records = await store.getMany(checks.map(({ shop, orderId }) => ({ shop, orderId })));
        const decided = records.filter((record) => record.state !== 'pending_check');
        if (decided.length === checks.length || Date.now() > deadline) {
          const dueOf = new Map(checks.map((check) => [check.orderId, check.dueAt]));
          return decided.map(
            (record) => record.stateSince - (dueOf.get(record.orderId) ?? record.stateSince),
          );
        }
        await sleep(200);
      }
    };
    const figures = (label: string, values: number[]) => ({
      [`${label}: orders decided`]: `${values.length} / ${trickleOrders}`,
      [`${label}: detection latency p50 (ms)`]: round(percentile(values, 50), 0),
      [`${label}: detection latency p95 (ms)`]: round(percentile(values, 95), 0),
      [`${label}: detection latency max (ms)`]: round(Math.max(...values), 0),
    });

    // Warm-up: both shops' HotWax discovery and login, the Lambda-style cold start.
    await latencies(
      await Promise.all([order(flashShop), order(trickleShop)]).then(async (checks) => {
        await send(checks);
        return checks;
      }),
    );

    // 1. The trickle alone.
    const alone = await latencies(await trickleRun());

    // 2. The trickle while the other shop's flash sale floods the same queue.
    const saleStarted = Date.now();
    const sale: CheckMessage[] = [];
    const seeding = (async () => {
      for (let start = 0; start < flashOrders; start += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, flashOrders - start) }, () => order(flashShop)),
        );
        await send(batch);
        sale.push(...batch);
      }
    })();
    const during = await latencies(await trickleRun());
    await seeding;
    const flashLatencies = await latencies(sale);
    const saleDrainedMs = Date.now() - saleStarted;

    return {
      'checker concurrency (pollers, as Lambda starts)': checkerConcurrency,
      'checker batch size': checkerBatching.batchSize,
      'checker batching window (ms)': checkerBatching.maxBatchingWindowSeconds * 1000,
      'trickle: orders, one every (ms)': `${trickleOrders}, ${trickleEveryMs}`,
      ...figures('trickle alone', alone),
      ...figures('trickle during the flash sale', during),
      'flash sale: orders': flashOrders,
      'flash sale: detection latency p50 (ms)': round(percentile(flashLatencies, 50), 0),
      'flash sale: detection latency p95 (ms)': round(percentile(flashLatencies, 95), 0),
      'flash sale: drained after (ms)': saleDrainedMs,
      'trickle p95 during / alone (ratio)': round(
        percentile(during, 95) / Math.max(1, percentile(alone, 95)),
        1,
      ),
    };
  } finally {
    await Promise.allSettled(pollers.map((poller) => poller.stop()));
    await hotwax.stop();
    await flash.stop();
    await trickle.stop();
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
