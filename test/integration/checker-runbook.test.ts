import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type QueuePoller, startQueuePoller } from '../../local/queue-poller.js';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import type { CheckMessage, OrderRecord, SyncState } from '../../shared/domain/order-sync.js';
import type { Notification } from '../../shared/domain/ports.js';
import { type HotwaxSim, simFallbackJobName, startHotwaxSim } from '../../sim/hotwax/hotwax-sim.js';
import { type ShopifySim, startShopifySim } from '../../sim/shopify/admin-sim.js';
import { buildOrderPayload, nextOrderId } from '../../sim/shopify/order-payload.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { backends, monitorEnv, reimportRunCalls, setEnv } from '../support/backends.js';
import { httpApiEvent, lambdaContext } from '../support/http-event.js';

/**
 * The second half of the pipeline, end to end, on both shapes of HotWax tenant: Shopify (simulator) sends signed
 * webhooks to the real webhook handler, checks wait in fauxqs for their delay, the same poller `npm start` uses hands
 * them to the real checker handler, which talks to the HotWax (OFBiz or Maarg) and Shopify simulators. One order per
 * runbook branch.
 */
const secret = 'shpss_runbook_secret';

let aws: TestAws;
beforeAll(async () => {
  aws = await createTestAws();
});
afterAll(() => aws?.destroy());

describe.each(backends)('on a HotWax %s tenant', (backend) => {
  const shop = `runbook-${backend}.myshopify.com`;
  let hotwax: HotwaxSim;
  let shopify: ShopifySim;
  let checkQueue: { url: string; arn: string };
  let notifyQueue: { url: string; arn: string };
  let poller: QueuePoller;
  let checker: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  const cleanups: Array<() => Promise<unknown>> = [];
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
  const typesOf = async (orderId: string) => (await timelineOf(orderId)).map((event) => event.type);
  const messagesOf = async (orderId: string) =>
    (await timelineOf(orderId)).map((event) => event.message).join('\n');

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
    hotwax = await startHotwaxSim({ backend, importDelayMs: 100, refreshDelayMs: 100 });
    shopify = await startShopifySim({ shop });
    checkQueue = await aws.createQueue(`checks-${backend}`);
    notifyQueue = await aws.createQueue(`notify-${backend}`);
    const bucket = `quarantine-${backend}-${aws.suffix}`;
    await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    setEnv({
      // The other backend's settings must not leak into this one's functions.
      HOTWAX_REFRESH_ORDER_SERVICE: undefined,
      ...monitorEnv(hotwax, { refresh: true }),
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
    // Each backend gets the functions as a fresh Lambda would build them from its environment.
    vi.resetModules();
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
    cleanups.push(() => new Promise((resolve) => front.close(() => resolve(undefined))));

    poller = startQueuePoller({
      client: aws.sqs,
      queueUrl: checkQueue.url,
      queueArn: checkQueue.arn,
      functionName: 'checker',
      handler: checker,
    });
  });

  afterAll(async () => {
    await poller?.stop();
    for (const cleanup of cleanups) await cleanup();
    await hotwax?.stop();
    await shopify?.stop();
  });

  describe('the sync checker runs the order-sync runbook', () => {
    it('leaves a healthy order in sync without repairing it', async () => {
      const order = newOrder();
      hotwax.addOrder({ externalId: order.id, statusId: 'ORDER_APPROVED' });
      await shopify.addOrder(order.payload);
      const record = await waitForState(order.id, 'in_sync');
      expect(record.repairAttempts).toBe(0);
      expect(await typesOf(order.id)).toEqual(['webhook.orders/create', 'check.in_sync']);
    });

    it('re-imports an order the import missed and verifies it landed', async () => {
      const order = newOrder();
      hotwax.queueShopifyOrder({ shopifyOrderId: order.id, channel: 'web', importAs: 'ORDER_APPROVED' });
      await shopify.addOrder(order.payload);
      const record = await waitForState(order.id, 'in_sync');
      expect(record.hotwax?.statusId).toBe('ORDER_APPROVED');
      expect(await typesOf(order.id)).toEqual(['webhook.orders/create', 'repair.reimport', 'check.in_sync']);
      expect(await messagesOf(order.id)).toMatch(
        backend === 'maarg' ? /order sync run now from the order's last update/ : /New Orders job/,
      );
      if (backend === 'maarg') {
        // The re-import's run is on the record, and the fallback job is back on its own parameters.
        expect(record.repairs?.at(-1)?.runId).toMatch(/^JR/);
        expect(hotwax.maarg.serviceJob(simFallbackJobName)?.parameters).not.toContainEqual(
          expect.objectContaining({ parameterName: 'fromDate', parameterValue: expect.any(String) }),
        );
      }
    });

    it('blocks an order whose import failed on a missing phone, then re-imports it once fixed in Shopify', async () => {
      const order = newOrder({ withPhone: false });
      hotwax.queueShopifyOrder({ shopifyOrderId: order.id, channel: 'web', importAs: 'ORDER_APPROVED' });
      hotwax.failImport(order.id, 'Phone number is missing in the shipping address');
      // HotWax's own scheduled import tried and failed before the monitor looked.
      await hotwax.runScheduledImport();
      await shopify.addOrder(order.payload);

      const blocked = await waitForState(order.id, 'blocked_on_data');
      expect(blocked.finding?.rawError).toMatch(/Phone number is missing/);
      expect(blocked.finding?.mdmLogId).toBeTruthy();
      const runsWhileBlocked = reimportRunCalls(hotwax);

      await shopify.fixOrderData(order.id, { withPhone: true });
      hotwax.fixImport(order.id);
      const fixed = await waitForState(order.id, 'in_sync');
      expect(fixed.flags.hasShippingPhone).toBe(true);
      expect(reimportRunCalls(hotwax)).toBeGreaterThan(runsWhileBlocked);
      const messages = await messagesOf(order.id);
      expect(messages).toMatch(/Waiting for the fix in Shopify/);
      expect(messages).toMatch(/Shopify's copy changed/);
    });

    it('repairs a POS order stuck in Created that was fulfilled in Shopify, as the tenant can, and verifies it', async () => {
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
      // What an import from Shopify would bring now: the sale completed.
      hotwax.queueShopifyOrder({ shopifyOrderId: order.id, channel: 'pos', importAs: 'ORDER_COMPLETED' });

      if (backend === 'ofbiz') {
        // "Refresh order": a new version replaces the old one, which is cancelled.
        const record = await waitForState(
          order.id,
          'in_sync',
          (current) => current.hotwax?.orderId !== old.orderId,
        );
        const versions = hotwax.getOrdersByExternalId(order.id);
        expect(versions.map((version) => version.statusId)).toEqual(['ORDER_CANCELLED', 'ORDER_COMPLETED']);
        expect(record.hotwax?.orderId).not.toBe(old.orderId);
        expect(await messagesOf(order.id)).toMatch(/Refresh verified/);
      } else {
        // Maarg has no refresh and no "old version": the re-import updates the order in place.
        const record = await waitForState(
          order.id,
          'in_sync',
          (current) => current.hotwax?.statusId === 'ORDER_COMPLETED',
        );
        const versions = hotwax.getOrdersByExternalId(order.id);
        expect(versions.map(({ orderId, statusId }) => [orderId, statusId])).toEqual([
          [old.orderId, 'ORDER_COMPLETED'],
        ]);
        expect(record.hotwax?.orderId).toBe(old.orderId);
        const types = await typesOf(order.id);
        expect(types).toContain('repair.reimport');
        expect(types).not.toContain('repair.refresh');
        expect(await messagesOf(order.id)).toMatch(/updates it in place[\s\S]*Re-import verified/);
      }
    });

    it('diagnoses a web order held in Created and waits for approval, naming how the tenant approves', async () => {
      const order = newOrder({ financialStatus: 'pending' });
      hotwax.addOrder({ externalId: order.id, statusId: 'ORDER_CREATED', approvable: false });
      if (backend === 'maarg') hotwax.maarg.setAutoApproveOrder('N');
      await shopify.addOrder(order.payload);
      const record = await waitForState(order.id, 'awaiting_approval');
      expect(record.finding?.explanation).toMatch(/payment is pending/);
      if (backend === 'maarg') {
        expect(record.finding?.explanation).toMatch(
          /"Approve imported orders" setting \(autoApproveOrder\) is off/,
        );
        expect(record.finding?.fix).toMatch(/autoApproveOrder/);
        expect(record.finding?.fix).not.toMatch(/JOB_APR_ORD/);
      } else {
        expect(record.finding?.fix).toMatch(/JOB_APR_ORD/);
      }
    });

    it('reports several live HotWax orders with one Shopify id to a person, and resolves once one is left', async () => {
      const order = newOrder();
      hotwax.addOrder({ externalId: order.id, statusId: 'ORDER_COMPLETED' });
      // An exchange Shopify posted with the same order id, or a duplicate import.
      const second = hotwax.addOrder({ externalId: order.id, statusId: 'ORDER_APPROVED' });
      await shopify.addOrder(order.payload);

      const ambiguous = await waitForState(order.id, 'ambiguous');
      expect(ambiguous.finding?.title).toBe('Several live HotWax orders for one Shopify order');
      expect(ambiguous.inSyncAt).toBeUndefined();
      expect(await messagesOf(order.id)).toMatch(/HotWax holds 2 live orders/);

      hotwax.setStatus(second.orderId, 'ORDER_CANCELLED');
      const resolved = await waitForState(order.id, 'in_sync');
      expect(resolved.repairAttempts).toBe(0);
      const types = await typesOf(order.id);
      expect(types.filter((type) => type.startsWith('repair.'))).toEqual([]);
      expect(await messagesOf(order.id)).toMatch(/HotWax holds one live order again/);
    });

    it("takes HotWax's rejection of an order as its decision: in sync, and escalated once Shopify fulfils it", async () => {
      const order = newOrder({ sourceName: 'pos' });
      hotwax.addOrder({
        externalId: order.id,
        statusId: 'ORDER_REJECTED',
        salesChannelEnumId: 'POS_SALES_CHANNEL',
      });
      await shopify.addOrder(order.payload);
      await waitForState(order.id, 'in_sync');
      expect(await messagesOf(order.id)).toMatch(/HotWax rejected order .* nothing to re-import or refresh/);

      await shopify.fulfillOrder(order.id);
      const escalated = await waitForState(order.id, 'escalated');
      expect(escalated.finding?.title).toBe('Fulfilled in Shopify, rejected in HotWax');
      expect((await typesOf(order.id)).filter((type) => type.startsWith('repair.'))).toEqual([]);
      expect(hotwax.getOrdersByExternalId(order.id)).toHaveLength(1);
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

    if (backend === 'maarg') {
      it('re-imports again when HotWax says its re-import run failed, naming the run', async () => {
        const order = newOrder();
        hotwax.queueShopifyOrder({ shopifyOrderId: order.id, channel: 'web', importAs: 'ORDER_APPROVED' });
        hotwax.maarg.failNextRuns(simFallbackJobName, 1, 'Simulated fallback sync failure');
        await shopify.addOrder(order.payload);
        const record = await waitForState(order.id, 'in_sync');
        const [failedRun] = hotwax.maarg
          .serviceJobRuns(simFallbackJobName)
          .filter((run) => run.hasError === 'Y' && run.errors === 'Simulated fallback sync failure');
        expect(record.repairs?.map((repair) => repair.runId)).toContain(failedRun?.jobRunId);
        expect(await messagesOf(order.id)).toContain(
          `HotWax's run ${failedRun?.jobRunId} of it failed, so the re-import did not happen`,
        );
      });
    }

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
          'needs_human:ambiguous',
          'escalated:escalated',
        ]),
      );
      const text = JSON.stringify(all);
      for (const pii of ['ada@example.com', '555-010-0199', 'Test Street', 'Ada'])
        expect(text).not.toContain(pii);
      const escalation = all.find(
        (notification) => notification.kind === 'escalated' && notification.bundle?.repairAttempts === 2,
      );
      expect(escalation?.order?.shopifyUrl).toMatch(/admin\.shopify\.com/);
      expect(escalation?.order?.hotwaxUrl ?? '').toBe('');
      const rejected = all.find((notification) => /rejected in HotWax/.test(notification.title));
      expect(rejected).toMatchObject({ kind: 'escalated', order: { state: 'escalated' } });
      expect(rejected?.order?.hotwaxUrl).toMatch(
        backend === 'maarg' ? /\/orders\/HC/ : /ViewOrder\?orderId=HC/,
      );
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
      const dlq = await aws.createQueue(`outage-dlq-${backend}`);
      const queue = await aws.createQueue(`outage-${backend}`, {
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
});
