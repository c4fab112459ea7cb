import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SNSEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createWebApiSlackSender,
  createWebhookSlackSender,
} from '../../shared/adapters/slack/slack-sender.js';
import { createNotifyQueue } from '../../shared/adapters/sqs/notify-queue.js';
import { type Notification, SlackUnavailableError } from '../../shared/domain/ports.js';
import { type SimMessage, type SlackSim, startSlackSim } from '../../sim/slack/slack-sim.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { lambdaContext } from '../support/http-event.js';

type Handler = (event: SQSEvent | SNSEvent, context: unknown) => Promise<SQSBatchResponse | undefined>;

const channel = 'C0NOTIFY';
const hour = 3_600_000;
// Each test uses its own shop and window, so storm counters and threads never meet across tests.
const windowStart = (index: number) => Date.UTC(2026, 4, 4, 8, 0) + index * 600_000;

let aws: TestAws;
let slack: SlackSim;

const blocked = (
  shop: string,
  index: number,
  overrides: Partial<Notification> = {},
  at = Date.now(),
): Notification => ({
  kind: 'needs_human',
  shop,
  title: `Order #${1000 + index} cannot reach HotWax`,
  explanation: 'The shipping address has no phone number',
  at,
  order: {
    orderId: String(5_100_000_000_000 + index),
    orderName: `#${1000 + index}`,
    channel: 'web',
    state: 'blocked_on_data',
    outOfSyncSince: Date.now() - 3 * hour - 12 * 60_000 - 30_000,
    shopifyUrl: `https://admin.shopify.com/store/${shop.split('.')[0]}/orders/${5_100_000_000_000 + index}`,
    hotwaxUrl: `https://acme.hotwax.io/commerce/control/ViewOrder?orderId=HW${index}`,
  },
  ...overrides,
});

const sqsRecord = (message: Message): SQSRecord => ({
  messageId: message.MessageId ?? '',
  receiptHandle: message.ReceiptHandle ?? '',
  body: message.Body ?? '',
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(Date.now()),
    SenderId: 'local',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: message.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:notify',
  awsRegion: 'us-east-1',
});

const bodyRecord = (id: string, notification: Notification | string): SQSRecord =>
  sqsRecord({
    MessageId: id,
    ReceiptHandle: id,
    Body: typeof notification === 'string' ? notification : JSON.stringify(notification),
  });

const topLevel = (messages: SimMessage[]) => messages.filter((message) => !message.threadTs);
const digests = (messages: SimMessage[]) =>
  messages.filter((message) => / orders? need a person/.test(message.text));
const contentOf = (message: SimMessage) => `${message.text}\n${JSON.stringify(message.blocks)}`;

/**
 * Plays the SQS event source: receives up to 10 messages, invokes the handler, deletes what succeeded and makes the
 * reported failures visible again at once (instead of after the visibility timeout), until the queue is empty.
 */
const drain = async (handler: Handler, queueUrl: string): Promise<SQSBatchResponse[]> => {
  const responses: SQSBatchResponse[] = [];
  for (let quiet = 0, rounds = 0; quiet < 2 && rounds < 100; rounds += 1) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: quiet }),
    );
    if (Messages.length === 0) {
      quiet += 1;
      continue;
    }
    quiet = 0;
    const response = (await handler(
      { Records: Messages.map(sqsRecord) },
      lambdaContext('notifier'),
    )) as SQSBatchResponse;
    responses.push(response);
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    for (const message of Messages) {
      if (failed.has(message.MessageId ?? '')) {
        await aws.sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      } else {
        await aws.sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
  }
  return responses;
};

const importHandler = async (env: Record<string, string | undefined>): Promise<Handler> => {
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  vi.resetModules();
  return ((await import('../../functions/notifier/handler.js')) as unknown as { handler: Handler }).handler;
};

beforeAll(async () => {
  aws = await createTestAws();
  slack = await startSlackSim({ channels: [channel] });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: aws.tableName,
    DYNAMODB_ENDPOINT: aws.dynamoEndpoint,
    NOTIFY_STORM_THRESHOLD: '10',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
});
afterAll(async () => {
  await slack.close();
  aws.destroy();
});
beforeEach(() => slack.reset());

describe('the notifier with the Slack Web API', () => {
  let handler: Handler;
  let queueUrl: string;
  let queue: ReturnType<typeof createNotifyQueue>;

  beforeAll(async () => {
    handler = await importHandler({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_CHANNEL_ID: channel,
      SLACK_API_URL: slack.apiUrl,
      SLACK_WEBHOOK_URL: undefined,
    });
    queueUrl = (await aws.createQueue('notify')).url;
    queue = createNotifyQueue({ client: aws.sqs, queueUrl });
  });

  it('posts a blocked order with its cause, the fix and links, and no customer data', async () => {
    const shop = 'blocked-one.myshopify.com';
    await queue.notify([
      blocked(shop, 42, {
        rawError:
          'Import failed: {"email":"jane.doe@example.com","firstName":"Jane","lastName":"Doe","phone":"+1 (555) 123-4567"} shipping phone missing; call 555-123-4567',
      }),
    ]);
    const responses = await drain(handler, queueUrl);

    expect(responses.flatMap((response) => response.batchItemFailures)).toEqual([]);
    expect(slack.messages).toHaveLength(1);
    const [message] = slack.messages as [SimMessage];
    const content = contentOf(message);
    expect(message.channel).toBe(channel);
    expect(content).toContain('#1042');
    expect(content).toContain('The shipping address has no phone number');
    expect(content).toContain('Fix the data in Shopify');
    expect(content).toContain('https://admin.shopify.com/store/blocked-one/orders/5100000000042');
    expect(content).toContain('https://acme.hotwax.io/commerce/control/ViewOrder?orderId=HW42');
    expect(content).toContain('3 h 12 min');
    for (const personal of ['jane.doe', 'example.com', 'Jane', 'Doe', '555', '4567']) {
      expect(content).not.toContain(personal);
    }
  });

  it("replies in the order's thread when the order is resolved", async () => {
    const shop = 'threaded.myshopify.com';
    await queue.notify([blocked(shop, 7)]);
    await drain(handler, queueUrl);
    const root = slack.messages[0] as SimMessage;
    const { Item } = await aws.doc.send(
      new GetCommand({ TableName: aws.tableName, Key: { pk: `SLACK#${shop}#5100000000007`, sk: 'THREAD' } }),
    );
    expect(Item?.threadTs).toBe(root.ts);

    await queue.notify([blocked(shop, 7, { kind: 'resolved', title: 'Order #1007 is in HotWax now' })]);
    await drain(handler, queueUrl);

    expect(slack.threads.get(root.ts)).toHaveLength(1);
    const reply = slack.threads.get(root.ts)?.[0] as SimMessage;
    expect(reply.text).toContain('Order #1007 is in HotWax now');
    expect(reply.replyBroadcast).toBe(false);
    expect(topLevel(slack.messages)).toHaveLength(1);
  });

  it('posts nothing for a resolved order nobody was told about', async () => {
    await queue.notify([
      blocked('quiet.myshopify.com', 3, { kind: 'resolved', title: 'Order #1003 is in HotWax' }),
    ]);
    const responses = await drain(handler, queueUrl);
    expect(responses.flatMap((response) => response.batchItemFailures)).toEqual([]);
    expect(slack.messages).toEqual([]);
  });

  it('posts nothing twice when SQS redelivers a record that was already sent', async () => {
    const event = { Records: [bodyRecord('redelivered-1', blocked('redelivery.myshopify.com', 9))] };
    await handler(event, lambdaContext('notifier'));
    const again = await handler(event, lambdaContext('notifier'));
    expect(again?.batchItemFailures).toEqual([]);
    expect(slack.messages).toHaveLength(1);
  });

  it('summarises a storm of 200 blocked orders in one digest after the first 10 messages', async () => {
    const shop = 'storm.myshopify.com';
    const start = windowStart(1);
    await queue.notify(
      Array.from({ length: 200 }, (_, index) => blocked(shop, index, {}, start + index * 1000)),
    );
    const responses = await drain(handler, queueUrl);

    expect(responses.flatMap((response) => response.batchItemFailures)).toEqual([]);
    const digest = digests(slack.messages);
    expect(digest).toHaveLength(1);
    expect(slack.messages).toHaveLength(11);
    expect(digest[0]?.text).toContain('190 orders need a person');
    expect(contentOf(digest[0] as SimMessage)).toContain('10 orders were posted individually');
    expect(digest[0]?.updates).toBeGreaterThan(0);
  });

  it('keeps one digest when batches of the same storm arrive concurrently', async () => {
    const shop = 'concurrent-storm.myshopify.com';
    const start = windowStart(2);
    const records = Array.from({ length: 60 }, (_, index) =>
      bodyRecord(`concurrent-${index}`, blocked(shop, index, {}, start + index)),
    );
    let pending = Array.from({ length: 6 }, (_, batch) => records.slice(batch * 10, batch * 10 + 10));
    for (let round = 0; pending.length > 0 && round < 10; round += 1) {
      const responses = await Promise.all(
        pending.map((batch) => handler({ Records: batch }, lambdaContext('notifier'))),
      );
      const failed = new Set(
        responses.flatMap((r) => r?.batchItemFailures.map((f) => f.itemIdentifier) ?? []),
      );
      const retry = records.filter((record) => failed.has(record.messageId));
      pending = retry.length > 0 ? [retry] : [];
    }

    expect(pending).toEqual([]);
    expect(digests(slack.messages)).toHaveLength(1);
    expect(slack.messages).toHaveLength(11);
    expect(digests(slack.messages)[0]?.text).toContain('50 orders need a person');
  });

  it('waits out a Retry-After that fits in the invocation and then posts the record (#11 §5)', async () => {
    slack.rateLimitNext(1, 1);
    await queue.notify([blocked('rate-limited.myshopify.com', 1)]);
    const [first] = await drain(handler, queueUrl);

    expect(first?.batchItemFailures).toEqual([]);
    expect(slack.requests.map((request) => request.status)).toEqual([429, 200]);
    expect(slack.earlyCalls).toBe(0);
    expect(slack.messages).toHaveLength(1);
  });

  it('reports a record that hit a Slack 500 as a batch item failure and sends it on redelivery', async () => {
    slack.failNext(1, 500);
    await queue.notify([blocked('server-error.myshopify.com', 1)]);
    const [first, second] = await drain(handler, queueUrl);

    expect(first?.batchItemFailures).toHaveLength(1);
    expect(second?.batchItemFailures).toEqual([]);
    expect(slack.messages).toHaveLength(1);
  });

  it('fails only the record that hit a Slack 500 and sends the rest of the batch', async () => {
    slack.failNext(1, 500, { after: 1 });
    const records = [1, 2, 3].map((index) =>
      bodyRecord(`partial-${index}`, blocked('partial.myshopify.com', index)),
    );
    const response = await handler({ Records: records }, lambdaContext('notifier'));

    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: 'partial-2' }]);
    expect(slack.messages.map((message) => message.text.split(' — ')[0])).toEqual([
      'Order #1001 cannot reach HotWax',
      'Order #1003 cannot reach HotWax',
    ]);
  });

  it('stops calling Slack for the rest of the batch once Slack asks it to wait longer than the invocation', async () => {
    slack.rateLimitNext(1, 30);
    const records = [1, 2, 3].map((index) =>
      bodyRecord(`wait-${index}`, blocked('wait.myshopify.com', index)),
    );
    const response = await handler({ Records: records }, lambdaContext('notifier'));

    expect(response?.batchItemFailures).toHaveLength(3);
    expect(slack.requests).toHaveLength(1);
    // The next batch does not call Slack before the 30 s are up either.
    const next = await handler(
      { Records: [bodyRecord('wait-4', blocked('wait.myshopify.com', 4))] },
      lambdaContext('notifier'),
    );
    expect(next?.batchItemFailures).toHaveLength(1);
    expect(slack.requests).toHaveLength(1);
    expect(slack.earlyCalls).toBe(0);
    // A fresh notifier for the tests after this one (the wait is remembered per Slack transport).
    handler = await importHandler({});
  });

  it('fails an unreadable queue message so it ends in the dead-letter queue', async () => {
    const response = await handler(
      { Records: [bodyRecord('garbage', 'not json'), bodyRecord('fine', blocked('mixed.myshopify.com', 5))] },
      lambdaContext('notifier'),
    );
    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: 'garbage' }]);
    expect(slack.messages).toHaveLength(1);
  });

  it('posts a CloudWatch alarm delivered by SNS', async () => {
    const alarm = {
      AlarmName: 'order-sync-check-dlq',
      AlarmDescription: 'Checks are landing in the DLQ',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      NewStateReason: 'Threshold Crossed: 1 datapoint [2.0] was greater than the threshold (0.0).',
      StateChangeTime: '2026-05-04T10:00:00.000+0000',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:order-sync-check-dlq',
    };
    const event = {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:alarms:sub',
          Sns: { Message: JSON.stringify(alarm), Subject: 'ALARM: "order-sync-check-dlq"' },
        },
      ],
    } as unknown as SNSEvent;

    await expect(handler(event, lambdaContext('notifier'))).resolves.toBeUndefined();
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0]?.text).toContain('ALARM: order-sync-check-dlq');
    expect(contentOf(slack.messages[0] as SimMessage)).toContain('Threshold Crossed');
  });
});

describe('the notifier with an incoming webhook', () => {
  let handler: Handler;
  let queueUrl: string;
  let queue: ReturnType<typeof createNotifyQueue>;

  beforeAll(async () => {
    handler = await importHandler({
      SLACK_BOT_TOKEN: undefined,
      SLACK_CHANNEL_ID: undefined,
      SLACK_API_URL: undefined,
      SLACK_WEBHOOK_URL: slack.webhookUrl,
    });
    queueUrl = (await aws.createQueue('notify-webhook')).url;
    queue = createNotifyQueue({ client: aws.sqs, queueUrl });
  });

  it('posts through the webhook and announces the fix as a new message, having no threads', async () => {
    const shop = 'webhook.myshopify.com';
    await queue.notify([blocked(shop, 11)]);
    await drain(handler, queueUrl);
    await queue.notify([blocked(shop, 11, { kind: 'resolved', title: 'Order #1011 is in HotWax now' })]);
    await drain(handler, queueUrl);

    expect(slack.messages.map((message) => [message.via, message.threadTs])).toEqual([
      ['webhook', undefined],
      ['webhook', undefined],
    ]);
    expect(slack.messages[1]?.text).toContain('Order #1011 is in HotWax now');
  });

  it('sends a storm as one digest plus a follow-up each time the storm doubles', async () => {
    const shop = 'webhook-storm.myshopify.com';
    const start = windowStart(3);
    const records = Array.from({ length: 50 }, (_, index) =>
      bodyRecord(`webhook-storm-${index}`, blocked(shop, index, {}, start + index)),
    );
    for (let batch = 0; batch < 5; batch += 1) {
      const response = await handler(
        { Records: records.slice(batch * 10, batch * 10 + 10) },
        lambdaContext('notifier'),
      );
      expect(response?.batchItemFailures).toEqual([]);
    }
    // 10 individual; digest at 10; follow-ups at 20 and 40 (30 and 50 have not doubled the last post)
    expect(slack.messages).toHaveLength(13);
    expect(digests(slack.messages).map((message) => message.text.split(':')[0])).toEqual([
      '10 orders need a person',
      'Storm update',
      'Storm update',
    ]);
  });

  it('honours the Retry-After of a rate-limited incoming webhook and then posts the record', async () => {
    slack.rateLimitNext(1, 1);
    await queue.notify([blocked('webhook-429.myshopify.com', 1)]);
    const [first] = await drain(handler, queueUrl);
    expect(first?.batchItemFailures).toEqual([]);
    expect(slack.earlyCalls).toBe(0);
    expect(slack.messages).toHaveLength(1);
  });
});

describe('the Slack adapters', () => {
  const message = { text: 'hello', blocks: [] };

  it('turns a 429 into a transient error carrying Retry-After, without retrying inside the Lambda', async () => {
    const sender = createWebApiSlackSender({ token: slack.token, channel, apiUrl: slack.url });
    slack.rateLimitNext(1, 12);
    const error = await sender.post(message).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SlackUnavailableError);
    expect(error).toMatchObject({
      name: 'SlackUnavailableError',
      reason: 'rate_limited',
      transient: true,
      retryAfter: 12,
      status: 429,
    });
    expect(slack.requests).toHaveLength(1);
  });

  it('turns a 503 or a dropped connection into a transient error', async () => {
    const sender = createWebApiSlackSender({ token: slack.token, channel, apiUrl: slack.url });
    slack.failNext(1, 503);
    await expect(sender.post(message)).rejects.toMatchObject({ transient: true, status: 503 });
    slack.down(true);
    await expect(sender.post(message)).rejects.toMatchObject({ transient: true });
    slack.down(false);
    await expect(sender.post(message)).resolves.toMatchObject({ ts: expect.any(String) });
  });

  it('turns a bad token or an unknown channel into a permanent error', async () => {
    const badToken = createWebApiSlackSender({ token: 'xoxb-wrong', channel, apiUrl: slack.apiUrl });
    await expect(badToken.post(message)).rejects.toMatchObject({
      transient: false,
      slackError: 'invalid_auth',
    });
    const badChannel = createWebApiSlackSender({
      token: slack.token,
      channel: 'C0MISSING',
      apiUrl: slack.apiUrl,
    });
    await expect(badChannel.post(message)).rejects.toMatchObject({
      transient: false,
      slackError: 'channel_not_found',
    });
  });

  it('reads Retry-After from a rate-limited incoming webhook and treats 5xx as transient', async () => {
    const sender = createWebhookSlackSender({ url: slack.webhookUrl });
    slack.rateLimitNext(1, 4);
    await expect(sender.post(message)).rejects.toMatchObject({ transient: true, retryAfter: 4 });
    slack.failNext(1, 502);
    await expect(sender.post(message)).rejects.toMatchObject({ transient: true, status: 502 });
    const unknownHook = createWebhookSlackSender({ url: `${slack.url}/services/T000/B000/GONE` });
    await expect(unknownHook.post(message)).rejects.toMatchObject({ transient: false, status: 404 });
  });
});
