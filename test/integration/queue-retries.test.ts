import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionLocal } from '../../local/resources.js';
import { createDeadLetterQueue } from '../../shared/adapters/sqs/dead-letter-queue.js';
import { createRetryLater } from '../../shared/adapters/sqs/retry-later.js';
import {
  defaultRetrySchedule,
  retryDelaySeconds,
  retryWindowSeconds,
} from '../../shared/domain/retry-schedule.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { createRedriveWhenHealthy } from '../../shared/use-cases/redrive-dead-letters/redrive-dead-letters.js';
import { createTestAws, type TestAws } from '../support/aws.js';

/** #11 §4: the retry schedule, the same locally and in AWS, and dead letters moved back once the dependency answers. */
let aws: TestAws;
beforeAll(async () => {
  aws = await createTestAws();
});
afterAll(() => aws.destroy());

const receiveAll = async (queueUrl: string, waitSeconds = 0) => {
  const { Messages = [] } = await aws.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return Messages;
};

describe('the retry schedule', () => {
  it('retries for two hours before dead-lettering: HotWax maintenance windows last minutes to an hour', () => {
    expect(retryWindowSeconds(defaultRetrySchedule)).toBeGreaterThanOrEqual(2 * 3600);
    const waits = [1, 2, 3, 4, 5, 6, 10, 29].map((receive) =>
      retryDelaySeconds(defaultRetrySchedule, receive, { random: () => 0 }),
    );
    expect(waits).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
    // Slack's Retry-After wins when longer; jitter only adds.
    expect(retryDelaySeconds(defaultRetrySchedule, 1, { notBeforeSeconds: 45, random: () => 0 })).toBe(45);
    expect(retryDelaySeconds(defaultRetrySchedule, 6, { random: () => 1 })).toBe(360);
  });

  it("gives npm start's queues the schedule's redrive policy, also to queues an earlier run created", async () => {
    const first = await provisionLocal(aws, { ...defaultRetrySchedule, maxReceiveCount: 5 });
    const again = await provisionLocal(aws);
    expect(again.checkQueue.url).toBe(first.checkQueue.url);
    for (const queue of [again.checkQueue, again.notifyQueue]) {
      const { Attributes } = await aws.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['RedrivePolicy'] }),
      );
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}').maxReceiveCount).toBe(
        String(defaultRetrySchedule.maxReceiveCount),
      );
    }
  });

  it('holds a failed record back for its wait, and lets a malformed one go at once', async () => {
    const queue = await aws.createQueue('retry-later');
    const retryLater = createRetryLater({
      client: aws.sqs,
      queueUrl: queue.url,
      schedule: defaultRetrySchedule,
    });
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'outage' }));
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'garbage' }));
    const received = await receiveAll(queue.url, 1);
    expect(received).toHaveLength(2);
    await retryLater(
      received.map((message) => ({
        receiptHandle: message.ReceiptHandle ?? '',
        receiveCount: 1,
        permanent: message.Body === 'garbage',
      })),
    );
    // The malformed one is back at once; the other waits its 10 s or more.
    expect((await receiveAll(queue.url, 1)).map((message) => message.Body)).toEqual(['garbage']);
    const { Attributes } = await aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: ['ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(Number(Attributes?.ApproximateNumberOfMessagesNotVisible)).toBeGreaterThanOrEqual(1);
  });
});

describe('dead letters', () => {
  const setup = async (name: string) => {
    const dlq = await aws.createQueue(`${name}-dlq`);
    const source = await aws.createQueue(name);
    await aws.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: source.url,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: '1' }) },
      }),
    );
    for (const body of ['a', 'b', 'c']) {
      await aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: dlq.url,
          MessageBody: body,
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'needs_human' } },
        }),
      );
    }
    return {
      dlq,
      source,
      deadLetters: createDeadLetterQueue({
        client: aws.sqs,
        dlqUrl: dlq.url,
        sourceUrl: source.url,
        strategy: 'copy',
      }),
    };
  };

  it('are moved back to their queue with their attributes, all or a probe of one', async () => {
    const { source, deadLetters } = await setup('dead-letters');
    expect(await deadLetters.depth()).toBe(3);
    expect(await deadLetters.moveBack({ max: 1 })).toBe(1);
    expect(await deadLetters.depth()).toBe(2);
    expect(await deadLetters.moveBack()).toBe(2);
    expect(await deadLetters.depth()).toBe(0);
    const moved = [...(await receiveAll(source.url)), ...(await receiveAll(source.url))];
    expect(moved.map((message) => message.Body).sort()).toEqual(['a', 'b', 'c']);
    expect(moved[0]?.MessageAttributes?.kind?.StringValue).toBe('needs_human');
  });

  it('are redriven after a healthy batch, at most once a minute per process', async () => {
    const { dlq, source, deadLetters } = await setup('redrive');
    let now = Date.now();
    const redrive = createRedriveWhenHealthy(
      { deadLetters, telemetry: silentTelemetry, clock: { now: () => now } },
      { queue: 'checks' },
    );
    await redrive();
    expect(await deadLetters.depth()).toBe(0);
    expect((await receiveAll(source.url)).length + (await receiveAll(source.url)).length).toBe(3);

    await aws.sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: 'd' }));
    await redrive();
    expect(await deadLetters.depth()).toBe(1);
    now += 61_000;
    await redrive();
    expect(await deadLetters.depth()).toBe(0);
  });
});
