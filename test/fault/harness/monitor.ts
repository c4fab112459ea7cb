import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { localClients } from '../../../local/local-aws.js';

/**
 * `npm start` as a child process in its own process group, driven only from outside: its HTTP routes, its
 * DynamoDB Local table and fauxqs queues (read through the endpoints it writes to its data dir). Vitest-free, so
 * the fault bench runs the same scenarios.
 */
const repo = join(import.meta.dirname, '..', '..', '..');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');

/** The environment of a machine with nothing about HotWax, Shopify, Slack or AWS set. */
export const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !/^(HOTWAX_|SHOPIFY_|SLACK_|TABLE_NAME|CHECK_|NOTIFY_|QUARANTINE|DYNAMODB_|SQS_|S3_|POWERTOOLS_|AWS_|RETRY_|SWEEP_|VITEST|LOCAL_DATA_DIR|PORT$|SANDBOX)/.test(
          key,
        ),
    ),
  );

export interface RunningMonitor {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL to the whole group: tsx, the monitor and DynamoDB Local die mid-work, as on a power cut */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the monitor to finish its batches and exit */
  stop(): Promise<number | null>;
  /** every item of the order-sync table */
  scan(): Promise<Record<string, unknown>[]>;
  /** order records by order id */
  records(): Promise<Map<string, Record<string, unknown>>>;
  /** messages waiting in the check and notify DLQs */
  deadLetters(): Promise<{ checks: number; notifications: number }>;
}

const running = new Set<ChildProcess>();

/** Kills every monitor still running (teardown); never leaves a process group behind. */
export const killAllMonitors = async (): Promise<void> => {
  for (const child of [...running]) {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    running.delete(child);
  }
  await sleep(200);
};

export const startMonitor = async (env: NodeJS.ProcessEnv, dataDir: string): Promise<RunningMonitor> => {
  const child = spawn(tsx, ['local/start.ts'], {
    cwd: repo,
    env: { ...env, LOCAL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  // Decoded as streams: a chunk may end inside a multi-byte character (the terminal's `→`), which decoding each
  // chunk on its own would turn into two replacement characters.
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 120_000;
  let url: string | undefined;
  while (!url) {
    url = /Monitor listening on (http:\/\/[\d.:]+)/.exec(output)?.[1];
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`npm start did not come up:\n${output.slice(-4000)}`);
    }
    if (!url) await sleep(200);
  }
  const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as {
    dynamoEndpoint: string;
    sqsEndpoint: string;
    tableName: string;
  };
  const clients = localClients(endpoints);
  const queueUrl = async (name: string) =>
    (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
  const depth = async (name: string) => {
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: await queueUrl(name),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  };

  const scan = async () => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await clients.doc.send(
        new ScanCommand({ TableName: endpoints.tableName, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };

  const monitor: RunningMonitor = {
    url,
    child,
    output: () => output,
    async kill() {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      await exited;
      clients.destroy();
      running.delete(child);
      // DynamoDB Local is in the group too; give the OS a moment to release its files and ports.
      await sleep(500);
    },
    async stop() {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
      clients.destroy();
      if (code === 'timeout') {
        await monitor.kill();
        return null;
      }
      running.delete(child);
      return code;
    },
    scan,
    async records() {
      const byId = new Map<string, Record<string, unknown>>();
      for (const item of await scan()) if (item.kind === 'order') byId.set(String(item.orderId), item);
      return byId;
    },
    async deadLetters() {
      return {
        checks: await depth('order-sync-checks-dlq'),
        notifications: await depth('order-sync-notifications-dlq'),
      };
    },
  };
  return monitor;
};

/** Polls `condition` until it holds or `timeoutMs` passes; resolves to whether it held. */
export const waitUntil = async (
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 1000,
): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
};
