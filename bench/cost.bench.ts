import { performance } from 'node:perf_hooks';
import { localCredentials } from '../local/local-aws.js';
import { checkerSchema, parseConfig, webhookSchema } from '../shared/config/config.js';
import type { CheckMessage, OrderRecord } from '../shared/domain/order-sync.js';
import { checkOrders } from '../shared/use-cases/check-orders/check-orders.js';
import { ingestWebhook } from '../shared/use-cases/ingest-webhook/ingest-webhook.js';
import { createCheckerDeps } from '../shared/wiring/checker.js';
import { createWebhookDeps } from '../shared/wiring/webhook.js';
import { startHotwaxSim } from '../sim/hotwax/hotwax-sim.js';
import { startShopifySim } from '../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../sim/shopify/order-payload.js';
import { webhookHeaders } from '../sim/shopify/sign-webhook.js';
import { startBenchAws } from './aws-harness.js';
import { createRequestCounter } from './request-counter.js';
import { round } from './stats.js';

/**
 * AWS on-demand list prices, us-east-1, written down on the date below. Their home is each service's pricing page
 * (aws.amazon.com/<service>/pricing: lambda, api-gateway, dynamodb, sqs, cloudwatch, secrets-manager, xray), which
 * this machine cannot open; cross-checked where a copy could be found: Lambda Arm GB-s and requests (cloudchipr.com
 * "AWS Lambda pricing", us-east-1 tiers), DynamoDB on-demand WRU/RRU after the November 2024 cut
 * (airbyte.com "DynamoDB pricing"). The others are the long-standing list prices, unchecked here: re-check them
 * against the AWS pages before quoting the bill. Free tiers are left out: the figure is what a million orders cost
 * at the margin. Update the date with the numbers.
 */
export const prices = {
  asOf: '2026-12-02',
  /** Lambda, Arm: per GB-second and per request */
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** API Gateway HTTP API, first 300 million requests a month (512 KB metering) */
  httpApiRequest: 1.0 / 1e6,
  /** DynamoDB on-demand, Standard table class (since the November 2024 price cut) */
  dynamoWru: 0.625 / 1e6,
  dynamoRru: 0.125 / 1e6,
  dynamoStorageGbMonth: 0.25,
  /** SQS standard queue, per request (64 KB chunks), after the first million */
  sqsRequest: 0.4 / 1e6,
  /** CloudWatch Logs Standard ingestion and storage; custom metrics per metric-month (first 10,000 tier) */
  logsIngestGb: 0.5,
  logsStorageGbMonth: 0.03,
  customMetricMonth: 0.3,
  /** Secrets Manager: per secret-month and per API call */
  secretMonth: 0.4,
  secretApiCall: 0.05 / 10_000,
  /** X-Ray: per trace recorded (the functions run active tracing; every invocation counted, an upper bound) */
  xrayTrace: 5.0 / 1e6,
} as const;

const shop = 'bench-cost.myshopify.com';
const secret = 'bench-secret';
const orders = Number(process.env.BENCH_COST_ORDERS ?? 200);
/** the realistic mix: share of orders HotWax missed (re-imported, then verified) and share fulfilled later */
const repairedShare = 0.05;
const fulfilledShare = 0.9;
/**
 * Checks per checker invocation. The event source takes up to 100 over a 5 s window, but a million orders a month
 * is about 0.4 a second, so outside flash sales a window gathers a few: 10 is the conservative middle.
 */
const checkBatch = 10;
const perMillion = 1e6 / orders;
/** A million orders in one 30-day month: the fixed monthly parts (pollers, sweeps, metrics, secrets) count once. */
const month = { seconds: 30 * 86_400, sweepsPerMonth: (30 * 86_400) / 900 };

type Rows = Record<string, number | string>;

/**
 * What a million orders cost in AWS. A realistic mix runs through the real wiring against DynamoDB Local, fauxqs and
 * the HotWax/Shopify simulators (create webhooks, first checks, fulfilled webhooks and their checks, re-imports and
 * their verify checks, notifications queued); an SDK middleware counts every request and DynamoDB's consumed units.
 * What does not run here is modelled and says so: Lambda's SQS pollers, the sweeps (from their per-order figures),
 * logs per invocation, storage at the retention, secrets, metrics.
 */
export const benchCost = async (): Promise<{ counted: Rows; bill: Rows }> => {
  const aws = await startBenchAws();
  const hotwax = await startHotwaxSim({ backend: 'ofbiz', importDelayMs: 0 });
  const shopify = await startShopifySim({ shop });
  try {
    let now = Date.now();
    const counter = createRequestCounter();
    const webhookDeps = createWebhookDeps(
      parseConfig(webhookSchema, { ...aws.env, SHOPIFY_WEBHOOK_SECRET: secret, SHOPIFY_SHOP: shop }),
      { capture: counter.capture, clock: { now: () => now }, credentials: localCredentials },
    );
    const {
      HOTWAX_IMPORT_ORDER_SERVICE: _perOrder,
      HOTWAX_REFRESH_ORDER_SERVICE: _refresh,
      ...hotwaxEnv
    } = hotwax.env();
    const checkerDeps = createCheckerDeps(
      parseConfig(checkerSchema, {
        ...aws.env,
        ...hotwaxEnv,
        SHOPIFY_SHOP: shop,
        SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
        SHOPIFY_API_VERSION: shopify.apiVersion,
        SHOPIFY_ADMIN_URL: shopify.url,
      }),
      { clock: { now: () => now }, credentials: localCredentials, capture: counter.capture },
    );
    const time = { webhookMs: 0, webhooks: 0, checkerMs: 0, batches: 0 };
    const deliver = async (topic: 'orders/create' | 'orders/fulfilled', payload: Record<string, unknown>) => {
      const body = JSON.stringify(payload);
      const begin = performance.now();
      await ingestWebhook(webhookDeps, {
        headers: webhookHeaders({ topic, shop, body, secret }),
        rawBody: Buffer.from(body),
      });
      time.webhookMs += performance.now() - begin;
      time.webhooks += 1;
    };
    const check = async (messages: readonly CheckMessage[]) => {
      for (let start = 0; start < messages.length; start += checkBatch) {
        const begin = performance.now();
        await checkOrders(checkerDeps, messages.slice(start, start + checkBatch));
        time.checkerMs += performance.now() - begin;
        time.batches += 1;
      }
    };
    const due = async (reason: CheckMessage['reason'], ids: readonly string[]) =>
      [...(await checkerDeps.store.getMany(ids.map((orderId) => ({ shop, orderId }))))]
        .filter((record: OrderRecord) => record.nextCheckAt !== undefined)
        .map((record) => ({
          v: 1 as const,
          shop,
          orderId: record.orderId,
          reason,
          dueAt: record.nextCheckAt ?? now,
        }));

    const payloads = Array.from({ length: orders }, (_, index) => {
      const payload = buildOrderPayload({ id: nextOrderId(), createdAt: new Date(now).toISOString() });
      const missed = index % Math.round(1 / repairedShare) === 0;
      return { payload, missed };
    });
    for (const { payload, missed } of payloads) {
      await shopify.addOrder(payload);
      if (missed)
        hotwax.queueShopifyOrder({ shopifyOrderId: String(payload.id), importAs: 'ORDER_APPROVED' });
      else hotwax.addOrder({ externalId: String(payload.id), statusId: 'ORDER_APPROVED' });
    }
    const ids = payloads.map(({ payload }) => String(payload.id));

    // 1. orders/create, and the first checks ten minutes later.
    for (const { payload } of payloads) await deliver('orders/create', payload);
    now += 601_000;
    await check(await due('created', ids));
    // 2. The verify checks of the re-imported ones.
    await hotwax.idle();
    now += 301_000;
    await check(await due('verify', ids));
    // 3. orders/fulfilled for most, and their checks.
    const fulfilled = payloads.slice(0, Math.round(orders * fulfilledShare));
    for (const { payload } of fulfilled) {
      await deliver('orders/fulfilled', { ...payload, fulfillment_status: 'fulfilled' });
    }
    now += 301_000;
    await check(await due('fulfilled', ids));

    const { requests, readUnits, writeUnits } = counter.counts;
    const sqsSends = Object.entries(requests)
      .filter(([name]) => name.startsWith('SQS'))
      .reduce((sum, [, count]) => sum + count, 0);
    // Every SQS send beyond the webhooks' checks is the checker's (verify checks, notifications): all are taken
    // for notifications here, an upper bound for the notifier's work.
    const notifications = Math.max(0, sqsSends - time.webhooks);
    const dynamoRequests = Object.entries(requests)
      .filter(([name]) => name.startsWith('DynamoDB'))
      .reduce((sum, [, count]) => sum + count, 0);

    // --- modelled parts, per million orders ----------------------------------------------------------------
    const webhooks = time.webhooks * perMillion;
    const batches = time.batches * perMillion;
    // Lambda's SQS event source: one receive per batch and one delete per batch, plus its idle long polls
    // (about 5 pollers × one 20 s poll each, all month, on each of two queues).
    const pollerRequests = batches * 2 + 5 * (month.seconds / 20) * 2;
    // Sweeps: every listed order's record read (strongly consistent, ≤ 4 KB: 1 RRU), each order listed about 1.3
    // times (the 300 s overlap of 900 s windows), ~6 writes a run (lease, renewals, checkpoints) at 1 WRU.
    const sweepRru = 1e6 * 1.33;
    const sweepWru = month.sweepsPerMonth * 6;
    const sweepGbSeconds = month.sweepsPerMonth * 2 * 0.5; // ~2 s per run at 512 MB
    // Notifier: one invocation per notification batch (≤ 10), a posted-key write per notification.
    const notificationsPerMillion = notifications * perMillion;
    const notifierInvocations = notificationsPerMillion;
    // Storage: a record (~1.5 KB) and ~5 events (~0.4 KB) per order, a record lives 90 days, events 180.
    const storedGb = (1e6 * (1.5 * 3 + 5 * 0.4 * 6)) / 1024 / 1024;
    // Logs: Lambda's START/END/REPORT (~0.35 KB) per invocation plus ~0.3 KB of our JSON lines.
    const invocations = webhooks + batches + notifierInvocations + month.sweepsPerMonth;
    const logGb = (invocations * 0.65) / 1024 / 1024;

    const webhookGbSeconds = (time.webhookMs / time.webhooks / 1000) * 1.0 * webhooks; // 1024 MB
    const checkerGbSeconds = (time.checkerMs / time.batches / 1000) * 0.5 * batches; // 512 MB
    const notifierGbSeconds = notifierInvocations * 0.2 * 0.5;
    const lambda = {
      gbSeconds: webhookGbSeconds + checkerGbSeconds + notifierGbSeconds + sweepGbSeconds,
      requests: invocations,
    };
    const dynamo = {
      wru: writeUnits * perMillion + notificationsPerMillion + sweepWru,
      rru: readUnits * perMillion + sweepRru,
    };
    const sqs = sqsSends * perMillion + pollerRequests;
    const secretCalls = 6 * 3 * (month.seconds / 300); // 6 functions × ~3 warm containers, one read per 5 min
    const metrics = 20; // distinct metric × dimension sets the functions emit (service, shop, channel, flow)

    const lines: Array<[string, string, number]> = [
      [
        'Lambda',
        `${round(lambda.gbSeconds)} GB-s (Arm), ${Math.round(lambda.requests)} requests`,
        lambda.gbSeconds * prices.lambdaGbSecondArm + lambda.requests * prices.lambdaRequest,
      ],
      ['API Gateway HTTP API', `${Math.round(webhooks)} requests`, webhooks * prices.httpApiRequest],
      [
        'DynamoDB on-demand',
        `${round(dynamo.wru / 1e6, 2)} M WRU, ${round(dynamo.rru / 1e6, 2)} M RRU`,
        dynamo.wru * prices.dynamoWru + dynamo.rru * prices.dynamoRru,
      ],
      ['DynamoDB storage', `${round(storedGb, 1)} GB at retention`, storedGb * prices.dynamoStorageGbMonth],
      ['SQS', `${round(sqs / 1e6, 2)} M requests`, sqs * prices.sqsRequest],
      [
        'CloudWatch Logs',
        `${round(logGb, 2)} GB ingested, kept 30 days`,
        logGb * (prices.logsIngestGb + prices.logsStorageGbMonth),
      ],
      ['CloudWatch metrics (EMF)', `${metrics} metrics`, metrics * prices.customMetricMonth],
      [
        'Secrets Manager',
        `4 secrets, ${Math.round(secretCalls)} calls`,
        4 * prices.secretMonth + secretCalls * prices.secretApiCall,
      ],
      ['X-Ray', `${Math.round(invocations)} traces (upper bound)`, invocations * prices.xrayTrace],
    ];
    const total = lines.reduce((sum, [, , dollars]) => sum + dollars, 0);
    const bill: Rows = { 'prices (us-east-1, on-demand) as of': prices.asOf };
    for (const [service, usage, dollars] of lines) bill[service] = `$${dollars.toFixed(2)}   ${usage}`;
    bill['total per million orders'] = `$${total.toFixed(2)}`;
    bill['of which per order'] = `$${(total / 1e6).toFixed(6)}`;

    const counted: Rows = {
      'orders in the mix': orders,
      'repaired share / fulfilled share': `${repairedShare} / ${fulfilledShare}`,
      'webhook deliveries / check batches (of ≤ 10: steady traffic, see checkBatch)': `${time.webhooks} / ${time.batches}`,
      'DynamoDB requests (counted)': dynamoRequests,
      'DynamoDB WRU / RRU (counted, ConsumedCapacity)': `${writeUnits} / ${readUnits}`,
      'SQS requests sent by the code (counted)': sqsSends,
      'by command': Object.entries(requests)
        .map(([name, count]) => `${name} ${count}`)
        .join(', '),
      'webhook ms per delivery / checker ms per batch (local, for GB-s)': `${round(time.webhookMs / time.webhooks)} / ${round(time.checkerMs / time.batches)}`,
    };
    return { counted, bill };
  } finally {
    await hotwax.stop();
    await shopify.stop();
    await aws.close();
  }
};
