import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QueuePoller, startQueuePoller } from '../../local/queue-poller.js';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import { hotwaxSchema, parseConfig } from '../../shared/config/config.js';
import type { CheckMessage, OrderRecord, SyncState } from '../../shared/domain/order-sync.js';
import type { Notification } from '../../shared/domain/ports.js';
import { createHotwaxPort } from '../../shared/wiring/shops.js';
import { type HotwaxSim, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';
import { type ShopifySim, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../../sim/shopify/order-payload.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { httpApiEvent, lambdaContext } from '../support/http-event.js';

/**
 * The second half of the pipeline, end to end: Shopify (simulator) sends signed webhooks to the real webhook
 * handler, checks wait in fauxqs for their delay, the same poller `npm start` uses hands them to the real checker
 * handler, which talks to the HotWax and Shopify simulators. One order per runbook branch.
 */
const secret = 'shpss_runbook_secret';
const shop = 'runbook-test.myshopify.com';

let aws: TestAws;
let hotwax: HotwaxSim;
let shopify: ShopifySim;
let checkQueue: { url: string; arn: string };
let notifyQueue: { url: string; arn: string };
let poller: QueuePoller;
let checker: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
const store = () => createOrderRepository({ client: aws.doc, tableName: aws.tableName });

const waitForState = async (
  orderId: string,
  state: SyncState,
  and: (record: OrderRecord) => boolean = () => true,
  timeoutMs = 45_000,
): Promise<OrderRecord> => {
  const deadline = Date.now() + timeoutMs;
  let last: OrderRecord | undefined;
  while (Date.now() < deadline) {
    last = await store().get({ shop, orderId });
    if (last?.state === state && and(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`order ${orderId} did not reach ${state}; last state ${last?.state ?? 'none'}`);
};

const timelineOf = async (orderId: string) => (await store().getWithTimeline(orderId)).timeline;

const notifications: Notification[] = [];
const drainNotifications = async () => {
  for (let quiet = 0; quiet < 2; ) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: notifyQueue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (Messages.length === 0) quiet++;
    for (const message of Messages) notifications.push(JSON.parse(message.Body ?? '{}') as Notification);
  }
  return notifications;
};

const newOrder = (options: Parameters<typeof buildOrderPayload>[0] = {}) => {
  const id = nextOrderId();
  return { id: String(id), payload: buildOrderPayload({ id, ...options }) };
};

beforeAll(async () => {
  aws = await createTestAws();
  hotwax = await startHotwaxSim({ importDelayMs: 100, refreshDelayMs: 100 });
  shopify = await startShopifySim({ shop });
  checkQueue = await aws.createQueue('checks');
  notifyQueue = await aws.createQueue('notify');
  const bucket = `quarantine-${aws.suffix}`;
  await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { HOTWAX_IMPORT_ORDER_SERVICE: _perOrder, ...hotwaxEnv } = hotwax.env();
  Object.assign(process.env, {
    ...hotwaxEnv,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: aws.tableName,
    CHECK_QUEUE_URL: checkQueue.url,
    NOTIFY_QUEUE_URL: notifyQueue.url,
    DYNAMODB_ENDPOINT: aws.dynamoEndpoint,
    SQS_ENDPOINT: aws.sqsEndpoint,
    S3_ENDPOINT: aws.sqsEndpoint,
    QUARANTINE_BUCKET: bucket,
    SHOPIFY_WEBHOOK_SECRET: secret,
    SHOPIFY_SHOP: shop,
    SHOPIFY_ADMIN_TOKEN: shopify.accessToken,
    SHOPIFY_ADMIN_URL: shopify.url,
    SHOPIFY_API_VERSION: shopify.apiVersion,
    HOTWAX_REFRESH_ORDER_SERVICE: hotwax.settings.refreshOrderService,
    CHECK_DELAY_SECONDS: '1',
    FULFILLED_CHECK_DELAY_SECONDS: '1',
    VERIFY_DELAY_SECONDS: '1',
    // The retry schedule compressed (the default waits 10 s doubling to 5 min).
    RETRY_FIRST_DELAY_SECONDS: '1',
    RETRY_MAX_DELAY_SECONDS: '2',
    CREATED_STUCK_AFTER_SECONDS: '4',
    BLOCKED_RECHECK_SECONDS: '1',
    IMPORT_JOB_COOLDOWN_SECONDS: '1',
    MAX_REPAIR_ATTEMPTS: '2',
  });
  const webhook = (await import('../../functions/webhook/handler.js')).handler as unknown as (
    event: unknown,
    context: Context,
  ) => Promise<APIGatewayProxyStructuredResultV2>;
  checker = (await import('../../functions/checker/handler.js')).handler as unknown as typeof checker;

  // Shopify delivers its webhooks straight into the webhook handler, as API Gateway would.
  const { createServer } = await import('node:http');
  const front = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
      );
      const result = await webhook(
        httpApiEvent({
          method: 'POST',
          path: '/webhooks/shopify',
          headers,
          body: Buffer.concat(chunks),
          base64: true,
        }),
        lambdaContext('webhook'),
      );
      response.writeHead(result.statusCode ?? 200, { 'content-type': 'application/json' });
      response.end(result.body);
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const address = front.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  shopify.emitWebhooksTo({ url: `http://127.0.0.1:${port}/webhooks/shopify`, secret });
  afterAllCleanups.push(() => new Promise((resolve) => front.close(() => resolve(undefined))));

  poller = startQueuePoller({
    client: aws.sqs,
    queueUrl: checkQueue.url,
    queueArn: checkQueue.arn,
    functionName: 'checker',
    handler: checker,
  });
});

const afterAllCleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  await poller?.stop();
  for (const cleanup of afterAllCleanups) await cleanup();
  await hotwax?.stop();
  await shopify?.stop();
  aws?.destroy();
});

describe('the sync checker runs the order-sync runbook', () => {
  it('leaves a healthy order in sync without repairing it', async () => {
    const order = newOrder();
    hotwax.addOrder({ externalId: order.id, statusId: 'ORDER_APPROVED' });
    await shopify.addOrder(order.payload);
    const record = await waitForState(order.id, 'in_sync');
    expect(record.repairAttempts).toBe(0);
    expect((await timelineOf(order.id)).map((event) => event.type)).toEqual([
      'webhook.orders/create',
      'check.in_sync',
    ]);
  });

  it('re-imports an order the New Orders job missed and verifies it landed', async () => {
    const order = newOrder();
    hotwax.queueShopifyOrder({ shopifyOrderId: order.id, channel: 'web', importAs: 'ORDER_APPROVED' });
    await shopify.addOrder(order.payload);
    const record = await waitForState(order.id, 'in_sync');
    expect(record.hotwax?.statusId).toBe('ORDER_APPROVED');
    const types = (await timelineOf(order.id)).map((event) => event.type);
    expect(types).toEqual(['webhook.orders/create', 'repair.reimport', 'check.in_sync']);
  });

  it('blocks an order whose import failed on a missing phone, then re-imports it once fixed in Shopify', async () => {
    const order = newOrder({ withPhone: false });
    hotwax.queueShopifyOrder({ shopifyOrderId: order.id, channel: 'web', importAs: 'ORDER_APPROVED' });
    hotwax.failImport(order.id, 'Phone number is missing in the shipping address');
    // HotWax's own scheduled run tried and failed before the monitor looked.
    const { HOTWAX_IMPORT_ORDER_SERVICE: _perOrder, ...newOrdersJob } = hotwax.env('token');
    await createHotwaxPort(parseConfig(hotwaxSchema, newOrdersJob)).reimport({ orders: [] });
    await hotwax.idle();
    await shopify.addOrder(order.payload);

    const blocked = await waitForState(order.id, 'blocked_on_data');
    expect(blocked.finding?.rawError).toMatch(/Phone number is missing/);
    expect(blocked.finding?.mdmLogId).toBeTruthy();
    const jobRunsWhileBlocked = hotwax.callCount('scheduleService');

    await shopify.fixOrderData(order.id, { withPhone: true });
    hotwax.fixImport(order.id);
    const fixed = await waitForState(order.id, 'in_sync');
    expect(fixed.flags.hasShippingPhone).toBe(true);
    expect(hotwax.callCount('scheduleService')).toBeGreaterThan(jobRunsWhileBlocked);
    const messages = (await timelineOf(order.id)).map((event) => event.message).join('\n');
    expect(messages).toMatch(/Waiting for the fix in Shopify/);
    expect(messages).toMatch(/Shopify's copy changed/);
  });

  it('refreshes a POS order stuck in Created that was fulfilled in Shopify, and verifies both versions', async () => {
    const order = newOrder({
      sourceName: 'pos',
      withCustomer: false,
      withShippingAddress: false,
      email: null,
    });
    const old = hotwax.addOrder({
      externalId: order.id,
      statusId: 'ORDER_CREATED',
      salesChannelEnumId: 'POS_SALES_CHANNEL',
    });
    await shopify.addOrder(order.payload);
    await shopify.fulfillOrder(order.id);
    const record = await waitForState(
      order.id,
      'in_sync',
      (current) => current.hotwax?.orderId !== old.orderId,
    );
    const versions = hotwax.getOrdersByExternalId(order.id);
    expect(versions.map((version) => version.statusId)).toEqual(['ORDER_CANCELLED', 'ORDER_COMPLETED']);
    expect(record.hotwax?.orderId).not.toBe(old.orderId);
    expect((await timelineOf(order.id)).map((event) => event.message).join('\n')).toMatch(/Refresh verified/);
  });

  it('diagnoses a web order held in Created and waits for approval', async () => {
    const order = newOrder({ financialStatus: 'pending' });
    hotwax.addOrder({ externalId: order.id, statusId: 'ORDER_CREATED', approvable: false });
    await shopify.addOrder(order.payload);
    const record = await waitForState(order.id, 'awaiting_approval');
    expect(record.finding?.explanation).toMatch(/payment is pending/);
  });

  it('escalates an order whose repairs keep failing, with a support bundle', async () => {
    const order = newOrder();
    hotwax.queueShopifyOrder({ shopifyOrderId: order.id, channel: 'web', importAs: 'ORDER_APPROVED' });
    hotwax.failImport(order.id, 'Service [createShopifyOrder] target threw an unexpected exception (null)');
    await shopify.addOrder(order.payload);
    const record = await waitForState(order.id, 'escalated');
    expect(record.repairAttempts).toBe(2);
    expect(record.repairs).toHaveLength(2);
  });

  it.each([
    ['cancelled in Shopify before import', { cancelledAt: new Date().toISOString() }],
    ['a test order', { test: true }],
  ])('ignores an order %s', async (_name, options) => {
    const order = newOrder(options);
    await shopify.addOrder(order.payload);
    await waitForState(order.id, 'ignored');
  });

  it('tells people about orders that need them, without personal data, and that they were resolved', async () => {
    const all = await drainNotifications();
    const kinds = all.map((notification) => `${notification.kind}:${notification.order?.state}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'needs_human:blocked_on_data',
        'resolved:in_sync',
        'needs_human:awaiting_approval',
        'escalated:escalated',
      ]),
    );
    const text = JSON.stringify(all);
    for (const pii of ['ada@example.com', '555-010-0199', 'Test Street', 'Ada'])
      expect(text).not.toContain(pii);
    const escalation = all.find((notification) => notification.kind === 'escalated');
    expect(escalation?.bundle).toMatchObject({ repairAttempts: 2 });
    expect(escalation?.order?.shopifyUrl).toMatch(/admin\.shopify\.com/);
  });
});

describe('duplicates and outages', () => {
  it('fails only a malformed check message, so it alone goes to the DLQ', async () => {
    const record = (messageId: string, body: string) => ({
      messageId,
      receiptHandle: messageId,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: checkQueue.arn,
      awsRegion: 'us-east-1',
    });
    const stale = JSON.stringify({ v: 1, shop, orderId: '1', reason: 'created', dueAt: 0 });
    const response = await checker(
      { Records: [record('bad-json', '{not json'), record('bad-shape', '{"v":2}'), record('ok', stale)] },
      lambdaContext('checker'),
    );
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'bad-json',
      'bad-shape',
    ]);
  });

  it('repairs an order once even when its check arrives ten times at once', async () => {
    const order = newOrder();
    hotwax.queueShopifyOrder({ shopifyOrderId: order.id, channel: 'web', importAs: 'ORDER_APPROVED' });
    await shopify.addOrder(order.payload);
    const pending = await store().get({ shop, orderId: order.id });
    const duplicate: CheckMessage = {
      v: 1,
      shop,
      orderId: order.id,
      reason: 'created',
      dueAt: pending?.nextCheckAt ?? Date.now(),
    };
    for (const batch of [0, 1]) {
      await aws.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: checkQueue.url,
          Entries: Array.from({ length: 5 }, (_, index) => ({
            Id: `${batch}-${index}`,
            MessageBody: JSON.stringify(duplicate),
            DelaySeconds: 1,
          })),
        }),
      );
    }
    const record = await waitForState(order.id, 'in_sync');
    const timeline = await timelineOf(order.id);
    expect(timeline.filter((event) => event.type === 'repair.reimport')).toHaveLength(1);
    expect(record.repairs).toHaveLength(1);
  });

  it('keeps a check through a HotWax outage: retried with backoff, then dead-lettered, record still findable', async () => {
    const dlq = await aws.createQueue('outage-dlq');
    const queue = await aws.createQueue('outage', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: '2' }),
    });
    const outagePoller = startQueuePoller({
      client: aws.sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      functionName: 'checker',
      handler: checker,
    });
    try {
      const order = newOrder();
      hotwax.queueShopifyOrder({ shopifyOrderId: order.id, channel: 'web', importAs: 'ORDER_APPROVED' });
      // The record exists (the webhook came); its check goes to the outage queue while HotWax is down.
      await poller.stop();
      await shopify.addOrder(order.payload);
      hotwax.down(true);
      const record = await store().get({ shop, orderId: order.id });
      await aws.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: [
            {
              Id: '1',
              MessageBody: JSON.stringify({
                v: 1,
                shop,
                orderId: order.id,
                reason: 'created',
                dueAt: record?.nextCheckAt,
              }),
            },
          ],
        }),
      );
      let dead: string | undefined;
      for (let attempt = 0; attempt < 40 && !dead; attempt++) {
        const { Messages = [] } = await aws.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 1 }),
        );
        dead = Messages[0]?.Body;
      }
      expect(JSON.parse(dead ?? '{}')).toMatchObject({ orderId: order.id });
      const after = await store().get({ shop, orderId: order.id });
      expect(after?.state).toBe('pending_check');
      expect(after?.nextCheckAt).toBeTypeOf('number');
      expect(await store().listOverdue(shop, Date.now() + 1)).toEqual(
        expect.arrayContaining([expect.objectContaining({ orderId: order.id })]),
      );
    } finally {
      hotwax.down(false);
      await outagePoller.stop();
    }
  });
});
