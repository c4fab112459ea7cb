import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { functionBuildOptions, webhookBundleAliases } from '../infra/constructs/bundling.js';
import { buildOrderPayload, nextOrderId } from '../sim/shopify/order-payload.js';
import { webhookHeaders } from '../sim/shopify/sign-webhook.js';
import { httpApiEvent, lambdaContext } from '../test/support/http-event.js';
import { startBenchAws } from './aws-harness.js';
import { percentile, round } from './stats.js';

const deliveries = Number(process.env.BENCH_DELIVERIES ?? 1000);
const secret = 'bench-secret';
const shop = 'bench.myshopify.com';

/**
 * The webhook path against the local emulators: warm handler latency over signed deliveries, against the floor
 * any ingest pays (one DynamoDB PutItem + one SQS SendMessage, measured in the same run), plus the bundle's size
 * and its cold start (importing the bundle in a fresh Node process).
 */
export const benchIngest = async (): Promise<Record<string, number | string>> => {
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
    const events = Array.from({ length: deliveries + 50 }, () => {
      const body = JSON.stringify(buildOrderPayload({ id: nextOrderId() }));
      return httpApiEvent({
        method: 'POST',
        path: '/webhooks/shopify',
        headers: webhookHeaders({ topic: 'orders/create', shop, body, secret }),
        body,
      });
    });
    // Warm-up: connections, JIT, the secret-derived key.
    for (const event of events.slice(0, 50)) await handler(event, lambdaContext('webhook'));

    const floor: number[] = [];
    for (let index = 0; index < deliveries; index++) {
      const start = performance.now();
      await aws.dynamo.send(
        new PutItemCommand({
          TableName: aws.tableName,
          Item: { pk: { S: `FLOOR#${index}` }, sk: { S: 'X' }, at: { N: String(Date.now()) } },
        }),
      );
      await aws.sqs.send(
        new SendMessageCommand({ QueueUrl: aws.checkQueue.url, MessageBody: '{"floor":1}' }),
      );
      floor.push(performance.now() - start);
    }

    const latencies: number[] = [];
    let failures = 0;
    for (const event of events.slice(50)) {
      const start = performance.now();
      const result = await handler(event, lambdaContext('webhook'));
      latencies.push(performance.now() - start);
      if (result.statusCode !== 200) failures++;
    }

    const bundle = await bundleSize();
    const cold = coldStart(bundle.file, aws.env);
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
      'p99 ratio handler/floor (aim ≤ 3)': round(handlerP99 / floorP99),
      'bundle size (KiB, minified ESM)': round(bundle.bytes / 1024, 1),
      'cold init: import bundle, median of 5 (ms, aim < 250)': round(cold),
    };
  } finally {
    await aws.close();
  }
};

/** The same bundling as the CDK AppFunction (ESM, minified, node24, everything inlined). */
const bundleSize = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-bundle-'));
  const file = join(dir, 'index.mjs');
  await build({
    ...functionBuildOptions(webhookBundleAliases),
    entryPoints: ['functions/webhook/handler.ts'],
    outfile: file,
    logLevel: 'silent',
  });
  return { file, bytes: statSync(file).size };
};

const coldStart = (file: string, env: Record<string, string>): number => {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`;
  const samples = Array.from({ length: 5 }, () =>
    Number(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, ...env, SHOPIFY_WEBHOOK_SECRET: secret },
        encoding: 'utf8',
      }).trim(),
    ),
  );
  return percentile(samples, 50);
};
