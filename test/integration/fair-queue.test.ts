import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators } from '../../local/emulators.js';
import { fauxqsInternalProblems, noisyMinInFlight } from '../../local/fair-queue.js';
import { localClients } from '../../local/local-aws.js';
import { createTestAws, type TestAws } from '../support/aws.js';

/**
 * fauxqs's standard queues deliver as Amazon SQS fair queues (AWS: a standard queue whose messages carry a
 * MessageGroupId), so that locally, as in AWS, one shop's flash sale does not hold back another shop's checks.
 * Against the run's fauxqs, started by the same `startEmulators` as `npm start` and the benches.
 */
let aws: TestAws;
beforeAll(async () => {
  aws = await createTestAws();
});
afterAll(() => aws.destroy());

const flashShop = 'flash.myshopify.com';
const quietShop = 'quiet.myshopify.com';

const sendAll = async (sqs: SQSClient, queueUrl: string, bodies: string[], group?: string) => {
  for (let start = 0; start < bodies.length; start += 10) {
    const { Failed } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(start, start + 10).map((body, index) => ({
          Id: String(index),
          MessageBody: body,
          ...(group ? { MessageGroupId: group } : {}),
        })),
      }),
    );
    expect(Failed ?? []).toEqual([]);
  }
};

/** One receive of up to 10, left in flight (a consumer still working on them): the bodies in the order handed out. */
const receiveKept = async (sqs: SQSClient, queueUrl: string, extra: { VisibilityTimeout?: number } = {}) => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 600,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      ...extra,
    }),
  );
  return Messages;
};

const receiveEverything = async (queueUrl: string, expected: number) => {
  const order: string[] = [];
  const receives: string[][] = [];
  while (order.length < expected) {
    const bodies = (await receiveKept(aws.sqs, queueUrl)).map((message) => message.Body ?? '');
    if (bodies.length === 0) break;
    receives.push(bodies);
    order.push(...bodies);
  }
  return { order, receives };
};

const range = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix}-${index}`);

describe('fauxqs standard queues as Amazon SQS fair queues', () => {
  it('is still the fauxqs whose internals local/fair-queue.ts reorders (a fauxqs upgrade must fail here, loudly)', async () => {
    expect(await fauxqsInternalProblems()).toEqual([]);
  });

  it("hands out a quiet shop's checks as soon as a flash sale's backlog is a noisy neighbour, not after the sale", async () => {
    const queue = await aws.createQueue('fair-flash');
    const sale = range('flash', 500);
    const quiet = range('quiet', 3);
    await sendAll(aws.sqs, queue.url, sale, flashShop);
    await sendAll(aws.sqs, queue.url, quiet, quietShop);

    const { order, receives } = await receiveEverything(queue.url, sale.length + quiet.length);

    expect(order).toHaveLength(sale.length + quiet.length);
    // Until the sale holds its 30 in flight it is not yet noisy (AWS's threshold); the receive right after that
    // hands out the quiet shop's three checks, ahead of the 470 sale checks still waiting.
    const receiveOf = (body: string) => receives.findIndex((bodies) => bodies.includes(body));
    const firstNoisyReceive = Math.ceil(noisyMinInFlight / 10);
    for (const body of quiet) expect(receiveOf(body)).toBe(firstNoisyReceive);
    expect(receives[firstNoisyReceive]?.slice(0, 3)).toEqual(quiet);
    // Each shop's own checks keep the order they were sent in.
    expect(order.filter((body) => body.startsWith('flash-'))).toEqual(sale);
    expect(order.filter((body) => body.startsWith('quiet-'))).toEqual(quiet);
  });

  it('keeps first-in first-out for messages without a group, each a tenant of its own as in AWS', async () => {
    const queue = await aws.createQueue('fair-ungrouped');
    const plain = range('plain', 25);
    await sendAll(aws.sqs, queue.url, plain);
    expect((await receiveEverything(queue.url, plain.length)).order).toEqual(plain);

    // Behind a noisy shop's backlog, a message without a group is a quiet tenant, not the noisy one's follower.
    const mixed = await aws.createQueue('fair-mixed');
    const sale = range('flash', 100);
    await sendAll(aws.sqs, mixed.url, sale, flashShop);
    await sendAll(aws.sqs, mixed.url, ['plain-late']);
    const { order } = await receiveEverything(mixed.url, sale.length + 1);
    expect(order.indexOf('plain-late')).toBe(noisyMinInFlight);
    expect(order.filter((body) => body.startsWith('flash-'))).toEqual(sale);
  });

  it('still dead-letters a message received maxReceiveCount times, with its receive count', async () => {
    const dlq = await aws.createQueue('fair-dlq');
    const queue = await aws.createQueue('fair-redrive', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await aws.sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'doomed', MessageGroupId: quietShop }),
    );
    // Visibility 0: each receive fails at once, as a check that throws and is handed back.
    const counts: string[] = [];
    for (let receive = 0; receive < 2; receive++) {
      const [message] = await receiveKept(aws.sqs, queue.url, { VisibilityTimeout: 0 });
      counts.push(message?.Attributes?.ApproximateReceiveCount ?? 'none');
    }
    expect(counts).toEqual(['1', '2']);
    expect(await receiveKept(aws.sqs, queue.url, { VisibilityTimeout: 0 })).toEqual([]);
    const [dead] = await receiveKept(aws.sqs, dlq.url);
    expect(dead?.Body).toBe('doomed');
  });

  it('puts a delayed check of a quiet shop ahead of a noisy backlog once it is due', async () => {
    const queue = await aws.createQueue('fair-delayed');
    const sale = range('flash', 40);
    await sendAll(aws.sqs, queue.url, sale, flashShop);
    await aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: 'quiet-delayed',
        MessageGroupId: quietShop,
        DelaySeconds: 1,
      }),
    );
    const { order } = await receiveEverything(queue.url, noisyMinInFlight);
    expect(order).toEqual(sale.slice(0, noisyMinInFlight));
    await sleep(1500);
    const next = (await receiveKept(aws.sqs, queue.url)).map((message) => message.Body);
    expect(next).toEqual(['quiet-delayed', ...sale.slice(noisyMinInFlight, noisyMinInFlight + 9)]);
  });
});

describe('fair queues with a data directory', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fair-queue-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps each message its shop across a restart, so a backlog in flight before it is still noisy after it', async () => {
    const run = async <T>(work: (sqs: SQSClient, queueUrl: string) => Promise<T>) => {
      const emulators = await startEmulators({ dataDir });
      const clients = localClients(emulators);
      try {
        const { QueueUrl = '' } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'fair-kept' }));
        return await work(clients.sqs, QueueUrl);
      } finally {
        clients.destroy();
        await emulators.stop();
      }
    };
    const sale = range('flash', 40);
    await run(async (sqs, queueUrl) => {
      await sendAll(sqs, queueUrl, sale, flashShop);
      await sendAll(sqs, queueUrl, ['quiet-0'], quietShop);
      for (let receive = 0; receive < noisyMinInFlight / 10; receive++) await receiveKept(sqs, queueUrl);
    });
    const next = await run(async (sqs, queueUrl) =>
      (await receiveKept(sqs, queueUrl)).map((message) => message.Body),
    );
    expect(next).toEqual(['quiet-0', ...sale.slice(noisyMinInFlight, noisyMinInFlight + 9)]);
  });
});
