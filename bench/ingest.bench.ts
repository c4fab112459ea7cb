import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { functionBuildOptions, projectRoot, webhookBundleAliases } from '../infra/constructs/bundling.js';
import { parseConfig, webhookSchema } from '../shared/config/config.js';
import { ingestWebhook } from '../shared/use-cases/ingest-webhook/ingest-webhook.js';
import { createWebhookDeps } from '../shared/wiring/webhook.js';
import { buildOrderPayload, nextOrderId } from '../sim/shopify/order-payload.js';
import { webhookHeaders } from '../sim/shopify/sign-webhook.js';
import { httpApiEvent, lambdaContext } from '../test/support/http-event.js';
import { startBenchAws } from './aws-harness.js';
import { createRequestCounter } from './request-counter.js';
import { percentile, round } from './stats.js';

const deliveries = Number(process.env.BENCH_DELIVERIES ?? 1000);
const secret = 'bench-secret';
const shop = 'bench.myshopify.com';
/** main before issue #15's webhook work: its bundle is rebuilt from git and measured in the same run */
const baselineCommit = '054f6b9';

type Rows = Record<string, number | string>;

/**
 * The webhook path against the local emulators: the bundle (size, cold init) now and before #15, warm handler
 * latency against the floor any ingest pays (one DynamoDB PutItem + one SQS SendMessage, same run), the requests
 * and capacity units one delivery costs (counted by an SDK middleware on the clients the webhook wiring builds),
 * and the single conditional write a delivery now makes measured against the transaction it replaced.
 */
export const benchIngest = async (): Promise<Rows> => {
  const aws = await startBenchAws();
  try {
    Object.assign(process.env, aws.env, {
      SHOPIFY_WEBHOOK_SECRET: secret,
      SHOPIFY_SHOP: shop,
      CHECK_DELAY_SECONDS: '600',
    });
    const { handler } = (await import('../functions/webhook/handler.js')) as unknown as {
      handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
    };
    const delivery = (
      topic: 'orders/create' | 'orders/fulfilled',
      payload = buildOrderPayload({ id: nextOrderId() }),
    ) => {
      const body = JSON.stringify(payload);
      return { payload, headers: webhookHeaders({ topic, shop, body, secret }), body };
    };
    const events = Array.from({ length: deliveries + 50 }, () => {
      const { headers, body } = delivery('orders/create');
      return httpApiEvent({ method: 'POST', path: '/webhooks/shopify', headers, body });
    });
    // Warm-up: connections, JIT, the secret-derived key.
    for (const event of events.slice(0, 50)) await handler(event, lambdaContext('webhook'));

    // The floor and the handler alternate in blocks, so a noisy neighbour hits both alike.
    const floor: number[] = [];
    const latencies: number[] = [];
    let failures = 0;
    const block = 50;
    for (let start = 0; start < deliveries; start += block) {
      for (let index = start; index < Math.min(deliveries, start + block); index++) {
        const begin = performance.now();
        await aws.dynamo.send(
          new PutItemCommand({
            TableName: aws.tableName,
            Item: { pk: { S: `FLOOR#${index}` }, sk: { S: 'X' }, at: { N: String(Date.now()) } },
          }),
        );
        await aws.sqs.send(
          new SendMessageCommand({ QueueUrl: aws.checkQueue.url, MessageBody: '{"floor":1}' }),
        );
        floor.push(performance.now() - begin);
      }
      for (const event of events.slice(50 + start, 50 + Math.min(deliveries, start + block))) {
        const begin = performance.now();
        const result = await handler(event, lambdaContext('webhook'));
        latencies.push(performance.now() - begin);
        if (result.statusCode !== 200) failures++;
      }
    }

    const counted = await countPerDelivery(aws.env, delivery);
    const single = await singleWriteVersusTransaction(aws, 300);
    const bundles = await compareBundles(aws.env);
    const handlerP99 = percentile(latencies, 99);
    const floorP99 = percentile(floor, 99);
    return {
      deliveries,
      'non-200 answers': failures,
      'handler p50 (ms)': round(percentile(latencies, 50)),
      'handler p99 (ms)': round(handlerP99),
      'floor PutItem+SendMessage p50 (ms)': round(percentile(floor, 50)),
      'floor PutItem+SendMessage p99 (ms)': round(floorP99),
      'p50 ratio handler/floor': round(percentile(latencies, 50) / percentile(floor, 50)),
      'p99 ratio handler/floor (aim ≤ 1.5)': round(handlerP99 / floorP99),
      ...counted,
      ...single,
      ...bundles,
    };
  } finally {
    await aws.close();
  }
};

/** Requests and capacity per delivery, through the same use case and wiring as the handler, counted at the SDK. */
const countPerDelivery = async (
  env: Record<string, string>,
  delivery: (
    topic: 'orders/create' | 'orders/fulfilled',
    payload?: Record<string, unknown>,
  ) => { payload: Record<string, unknown>; headers: Record<string, string>; body: string },
): Promise<Rows> => {
  const counter = createRequestCounter();
  const config = parseConfig(webhookSchema, { ...process.env, ...env, SHOPIFY_WEBHOOK_SECRET: secret });
  const deps = createWebhookDeps(config, { capture: counter.capture });
  const rows: Rows = {};
  const n = 200;
  const payloads: Record<string, unknown>[] = [];
  for (const topic of ['orders/create', 'orders/fulfilled'] as const) {
    counter.reset();
    for (let index = 0; index < n; index++) {
      const sent = delivery(topic, topic === 'orders/create' ? undefined : payloads[index]);
      if (topic === 'orders/create') payloads.push(sent.payload);
      await ingestWebhook(deps, { headers: sent.headers, rawBody: Buffer.from(sent.body) });
    }
    const { requests, readUnits, writeUnits } = counter.counts;
    const label = topic === 'orders/create' ? 'create' : 'fulfilled';
    rows[`${label}: DynamoDB requests per delivery`] = perDelivery(requests, 'DynamoDB', n);
    rows[`${label}: DynamoDB RRU / WRU per delivery`] = `${round(readUnits / n)} / ${round(writeUnits / n)}`;
    rows[`${label}: SQS requests per delivery`] = perDelivery(requests, 'SQS', n);
  }
  // A redelivery: Shopify sends the same delivery again (same event id).
  const again = delivery('orders/create');
  const request = { headers: again.headers, rawBody: Buffer.from(again.body) };
  await ingestWebhook(deps, request);
  counter.reset();
  await ingestWebhook(deps, request);
  const { requests, readUnits, writeUnits } = counter.counts;
  rows['redelivery: requests (RRU / WRU)'] = `${Object.entries(requests)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ')} (${readUnits} / ${writeUnits})`;
  return rows;
};

const perDelivery = (requests: Record<string, number>, service: string, n: number) => {
  const own = Object.entries(requests).filter(([name]) => name.startsWith(service));
  const total = own.reduce((sum, [, count]) => sum + count, 0);
  return `${round(total / n)} (${own.map(([name, count]) => `${name.slice(service.length + 1)} ${round(count / n)}`).join(', ')})`;
};

/**
 * The two writes side by side, isolated from the handler: the transaction a delivery made before (dedupe item +
 * record + event item) against one conditional write carrying the dedupe mark and the timeline event inside the
 * record (what the webhook does now; the handler rows above are its own, counted), on items of the sizes the webhook
 * really writes. Each followed by the SendMessage, as on the webhook path.
 */
const singleWriteVersusTransaction = async (
  aws: Awaited<ReturnType<typeof startBenchAws>>,
  n: number,
): Promise<Rows> => {
  const counter = createRequestCounter();
  counter.capture(aws.dynamo);
  const record = {
    kind: 'order',
    shop,
    orderName: '#1001',
    channel: 'web',
    state: 'pending_check',
    expectation: 'created',
    financialStatus: 'paid',
    fulfillmentStatus: 'unfulfilled',
    test: false,
    flags: { hasEmail: true, hasPhone: true, hasShippingAddress: true, hasBillingAddress: true },
    createdAt: Date.now(),
    updatedAt: Date.now(),
    nextCheckAt: Date.now() + 600_000,
    checkShop: shop,
    repairAttempts: 0,
    version: 1,
  };
  const event = {
    kind: 'event',
    shop,
    at: Date.now(),
    type: 'webhook',
    state: 'pending_check',
    message: 'orders/create received: check due in 10 minutes',
    detail: { topic: 'orders/create' },
  };
  const measure = async (write: (index: number) => Promise<unknown>) => {
    const samples: number[] = [];
    counter.reset();
    for (let index = 0; index < n; index++) {
      const begin = performance.now();
      await write(index);
      await aws.sqs.send(
        new SendMessageCommand({ QueueUrl: aws.checkQueue.url, MessageBody: '{"check":1}' }),
      );
      samples.push(performance.now() - begin);
    }
    return { samples, writeUnits: counter.counts.writeUnits / n };
  };
  const tag = nextOrderId();
  const transaction = await measure((index) =>
    aws.dynamo.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: aws.tableName,
              Item: marshall({
                pk: `WEBHOOK#tx-${tag}-${index}`,
                sk: 'DEDUPE',
                orderId: String(index),
                at: 1,
                expiresAt: 1,
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: aws.tableName,
              Item: marshall({ ...record, pk: `ORDER#tx-${tag}-${index}`, sk: `SHOP#${shop}` }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: aws.tableName,
              Item: marshall({
                ...event,
                pk: `ORDER#tx-${tag}-${index}`,
                sk: `SHOP#${shop}#EV#00000000000001#abcd`,
              }),
            },
          },
        ],
      }),
    ),
  );
  const single = await measure((index) =>
    aws.dynamo.send(
      new PutItemCommand({
        TableName: aws.tableName,
        Item: marshall({
          ...record,
          pk: `ORDER#one-${tag}-${index}`,
          sk: `SHOP#${shop}`,
          deliveries: { [`evt-${index}`]: Date.now() },
          webhookEvents: [event],
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  // Throughput with 64 in flight: DynamoDB Local runs transactions one at a time, which caps `npm start`'s ingest.
  const throughput = async (write: (index: number) => Promise<unknown>) => {
    let next = 0;
    const total = 600;
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < total) await write(next++);
      }),
    );
    return round(total / ((performance.now() - begin) / 1000), 0);
  };
  const txPerSecond = await throughput((index) =>
    aws.dynamo.send(
      new TransactWriteItemsCommand({
        TransactItems: [0, 1, 2].map((part) => ({
          Put: {
            TableName: aws.tableName,
            Item: marshall({ ...record, pk: `ORDER#txc-${tag}-${part}-${index}`, sk: `SHOP#${shop}` }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
      }),
    ),
  );
  const putPerSecond = await throughput((index) =>
    aws.dynamo.send(
      new PutItemCommand({
        TableName: aws.tableName,
        Item: marshall({ ...record, pk: `ORDER#putc-${tag}-${index}`, sk: `SHOP#${shop}` }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return {
    'DynamoDB Local, 64 in flight: transactions / conditional PutItems per second': `${txPerSecond} / ${putPerSecond}`,
    'before: transaction (dedupe+record+event) + send p50 / p99 (ms)': `${round(percentile(transaction.samples, 50))} / ${round(percentile(transaction.samples, 99))}`,
    'now: single conditional write + send p50 / p99 (ms)': `${round(percentile(single.samples, 50))} / ${round(percentile(single.samples, 99))}`,
    'WRU per write: transaction / single write': `${round(transaction.writeUnits)} / ${round(single.writeUnits)}`,
  };
};

/** The bundle as deployed now, and the one `baselineCommit` built the way it was then (no aliases). */
const compareBundles = async (env: Record<string, string>): Promise<Rows> => {
  const now = await bundle(join(projectRoot, 'functions/webhook/handler.ts'), webhookBundleAliases);
  const baselineEntry = checkoutBaseline();
  const before = baselineEntry ? await bundle(baselineEntry, {}) : undefined;
  // Interleaved, fresh Node processes each: both see the same machine.
  const samples = { now: [] as number[], before: [] as number[] };
  for (let run = 0; run < 5; run++) {
    samples.now.push(coldInit(now.file, env));
    if (before) samples.before.push(coldInit(before.file, env));
  }
  return {
    'bundle size before #15 (KiB, minified ESM)': before ? round(before.bytes / 1024, 1) : 'no git history',
    'bundle size now (KiB, minified ESM; aim ≤ 400)': round(now.bytes / 1024, 1),
    'cold init before #15: import + handler, median of 5 (ms)': before
      ? round(percentile(samples.before, 50))
      : '—',
    'cold init now: import + handler, median of 5 (ms; aim ≤ 100)': round(percentile(samples.now, 50)),
  };
};

/** The same bundling as the CDK AppFunction (ESM, minified, node24, everything inlined). */
const bundle = async (entry: string, aliases: Readonly<Record<string, string>>) => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-bundle-'));
  const file = join(dir, 'index.mjs');
  await build({ ...functionBuildOptions(aliases), entryPoints: [entry], outfile: file, logLevel: 'silent' });
  return { file, bytes: statSync(file).size };
};

/** The baseline's sources in a temporary directory, resolving packages from this checkout's node_modules. */
const checkoutBaseline = (): string | undefined => {
  try {
    const dir = mkdtempSync(join(tmpdir(), 'webhook-baseline-'));
    execFileSync('sh', [
      '-c',
      `git -C "${projectRoot}" archive ${baselineCommit} functions shared | tar -x -C "${dir}"`,
    ]);
    symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
    const entry = join(dir, 'functions/webhook/handler.ts');
    return existsSync(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
};

const coldInit = (file: string, env: Record<string, string>): number => {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(file)}); if (typeof m.handler !== 'function') throw new Error('no handler'); console.log(performance.now() - t);`;
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...env, SHOPIFY_WEBHOOK_SECRET: secret },
      encoding: 'utf8',
    }).trim(),
  );
};
