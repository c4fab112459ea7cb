import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import { parseConfig, webhookSchema } from '../../shared/config/config.js';
import type { CheckMessage } from '../../shared/domain/order-sync.js';
import { ingestWebhook } from '../../shared/use-cases/ingest-webhook/ingest-webhook.js';
import { createWebhookDeps } from '../../shared/wiring/webhook.js';
import { buildOrderPayload, nextOrderId } from '../../sim/shopify/order-payload.js';
import { signWebhook, webhookHeaders } from '../../sim/shopify/sign-webhook.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { httpApiEvent, lambdaContext } from '../support/http-event.js';
import { importWebhookBundle } from '../support/webhook-bundle.js';

const secret = 'shpss_test_webhook_secret';
const shop = 'acme-test.myshopify.com';

let aws: TestAws;
let queueUrl: string;
let bucket: string;
let handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

const deliver = async (
  topic: string,
  payload: Record<string, unknown> | string,
  options: {
    eventId?: string;
    shop?: string;
    secret?: string;
    base64?: boolean;
    headers?: Record<string, string>;
  } = {},
) => {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers = {
    ...webhookHeaders({
      topic,
      shop: options.shop ?? shop,
      body,
      secret: options.secret ?? secret,
      ...(options.eventId ? { eventId: options.eventId } : {}),
    }),
    ...options.headers,
  };
  const response = await handler(
    httpApiEvent({
      method: 'POST',
      path: '/webhooks/shopify',
      headers,
      body,
      base64: options.base64 ?? false,
    }),
    lambdaContext('webhook'),
  );
  return { statusCode: response.statusCode, body: JSON.parse(response.body ?? '{}') as { status: string } };
};

const receiveChecks = (waitSeconds: number) => aws.receiveJson<CheckMessage>(queueUrl, waitSeconds);

/** Drains the queue until it has been quiet for a while; returns everything it got. */
const drainChecks = async (): Promise<CheckMessage[]> => {
  const all: CheckMessage[] = [];
  for (let quiet = 0; quiet < 2; ) {
    const batch = await receiveChecks(1);
    if (batch.length === 0) quiet++;
    all.push(...batch);
  }
  return all;
};

const itemsFor = async (orderId: string) => {
  const { Items } = await aws.doc.send(
    new ScanCommand({
      TableName: aws.tableName,
      FilterExpression: 'pk = :pk OR orderId = :id',
      ExpressionAttributeValues: { ':pk': `ORDER#${orderId}`, ':id': orderId },
    }),
  );
  return Items ?? [];
};

const store = () => createOrderRepository({ client: aws.doc, tableName: aws.tableName });

beforeAll(async () => {
  aws = await createTestAws();
  queueUrl = (await aws.createQueue('checks')).url;
  bucket = `quarantine-${aws.suffix}`;
  await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: aws.tableName,
    CHECK_QUEUE_URL: queueUrl,
    DYNAMODB_ENDPOINT: aws.dynamoEndpoint,
    SQS_ENDPOINT: aws.sqsEndpoint,
    S3_ENDPOINT: aws.sqsEndpoint,
    QUARANTINE_BUCKET: bucket,
    SHOPIFY_WEBHOOK_SECRET: secret,
    SHOPIFY_SHOP: shop,
    CHECK_DELAY_SECONDS: '2',
    FULFILLED_CHECK_DELAY_SECONDS: '1',
  });
  // The deployed bundle (lean DynamoDB and SQS clients); the failure cases below wire the source with the SDK.
  handler = await importWebhookBundle();
});
afterAll(() => aws.destroy());

describe('POST /webhooks/shopify', () => {
  it('records a signed web order without its personal data and queues its check after the delay', async () => {
    const payload = buildOrderPayload({ sourceName: 'web', name: '#1042' });
    const response = await deliver('orders/create', payload);
    expect(response).toEqual({ statusCode: 200, body: { status: 'recorded' } });

    const record = await store().get({ shop, orderId: String(payload.id) });
    expect(record).toMatchObject({
      orderName: '#1042',
      channel: 'web',
      state: 'pending_check',
      expectation: 'created',
      financialStatus: 'paid',
      test: false,
      flags: {
        hasCustomer: true,
        hasEmail: true,
        hasPhone: true,
        hasShippingAddress: true,
        hasShippingPhone: true,
      },
    });
    const stored = JSON.stringify(await itemsFor(String(payload.id)));
    for (const pii of ['ada@example.com', '555-010-0199', 'Test Street', 'Example', 'Springfield']) {
      expect(stored).not.toContain(pii);
    }

    expect(await receiveChecks(0)).toEqual([]);
    const checks = await drainChecks();
    expect(checks).toEqual([
      { v: 1, shop, orderId: String(payload.id), reason: 'created', dueAt: record?.nextCheckAt },
    ]);
  });

  it('records a POS order with no customer and no addresses', async () => {
    const payload = buildOrderPayload({
      sourceName: 'pos',
      withCustomer: false,
      withShippingAddress: false,
      withPhone: false,
      email: null,
    });
    expect((await deliver('orders/create', payload)).body.status).toBe('recorded');
    const record = await store().get({ shop, orderId: String(payload.id) });
    expect(record?.channel).toBe('pos');
    expect(record?.flags).toEqual({
      hasCustomer: false,
      hasEmail: false,
      hasPhone: false,
      hasShippingAddress: false,
      hasShippingPhone: false,
      hasBillingAddress: false,
    });
    expect(await drainChecks()).toHaveLength(1);
  });

  it('answers a redelivered webhook 200 and schedules no second check', async () => {
    const payload = buildOrderPayload();
    const eventId = `evt-${nextOrderId()}`;
    const first = await deliver('orders/create', payload, { eventId });
    const again = await Promise.all([1, 2, 3].map(() => deliver('orders/create', payload, { eventId })));
    expect(first.body.status).toBe('recorded');
    expect(again.map((response) => response.body.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    // A redelivery queues the owed check again in case its first send was lost: the same check (one due time,
    // the record's), which the checker runs once.
    const recorded = await store().get({ shop, orderId: String(payload.id) });
    const checks = await drainChecks();
    expect(checks.length).toBeGreaterThanOrEqual(1);
    expect(new Set(checks.map((check) => check.dueAt))).toEqual(new Set([recorded?.nextCheckAt]));
    const { timeline } = await store().getWithTimeline(String(payload.id));
    expect(timeline).toHaveLength(1);
  });

  it('still knows a delivery after the checker has rewritten the record: a late redelivery changes nothing', async () => {
    const payload = buildOrderPayload();
    const orderId = String(payload.id);
    const eventId = `evt-${nextOrderId()}`;
    expect((await deliver('orders/create', payload, { eventId })).body.status).toBe('recorded');
    await drainChecks();
    // Another writer (here as the checker writes an in-sync order) replaces the record's fields and adds its event.
    const recorded = await store().get({ shop, orderId });
    if (!recorded) throw new Error('not recorded');
    const at = Date.now() + 1;
    const { nextCheckAt: _due, ...rest } = recorded;
    const checked = await store().save(
      { ...rest, state: 'in_sync', stateSince: at, inSyncAt: at },
      {
        expectedVersion: recorded.version,
        events: [{ at, type: 'check.in_sync', state: 'in_sync', message: 'in HotWax' }],
        now: at,
      },
    );
    expect(checked.result).toBe('saved');

    expect((await deliver('orders/create', payload, { eventId })).body.status).toBe('duplicate');
    expect(await drainChecks()).toEqual([]);
    const after = await store().get({ shop, orderId });
    expect(after).toMatchObject({ state: 'in_sync', version: recorded.version + 1 });
    expect(after?.nextCheckAt).toBeUndefined();
    const { timeline } = await store().getWithTimeline(orderId);
    expect(timeline.map((event) => event.type)).toEqual([expect.stringMatching(/^webhook/), 'check.in_sync']);
  });

  it('handles orders/fulfilled arriving before orders/create as one check chain', async () => {
    const created = new Date(Date.now() - 60_000).toISOString();
    const fulfilled = buildOrderPayload({
      sourceName: 'pos',
      createdAt: created,
      updatedAt: new Date().toISOString(),
      fulfillmentStatus: 'fulfilled',
    });
    const create = { ...fulfilled, updated_at: created, fulfillment_status: null };
    expect((await deliver('orders/fulfilled', fulfilled)).body.status).toBe('recorded');
    expect((await deliver('orders/create', create)).body.status).toBe('recorded');

    const record = await store().get({ shop, orderId: String(fulfilled.id) });
    expect(record).toMatchObject({
      expectation: 'fulfilled',
      fulfillmentStatus: 'fulfilled',
      state: 'pending_check',
    });
    const checks = await drainChecks();
    expect(checks.map((check) => check.reason)).toEqual(['fulfilled']);
    const { timeline } = await store().getWithTimeline(String(fulfilled.id));
    expect(timeline.map((event) => event.type)).toEqual([
      'webhook.orders/fulfilled',
      'webhook.orders/create',
    ]);
  });

  it('records concurrent create and fulfilled deliveries of one order once each', async () => {
    const payload = buildOrderPayload();
    const results = await Promise.all([
      deliver('orders/create', payload),
      deliver('orders/fulfilled', { ...payload, fulfillment_status: 'fulfilled' }),
    ]);
    expect(results.map((result) => result.body.status)).toEqual(['recorded', 'recorded']);
    const { records, timeline } = await store().getWithTimeline(String(payload.id));
    expect(records).toHaveLength(1);
    expect(records[0]?.expectation).toBe('fulfilled');
    expect(timeline).toHaveLength(2);
    await drainChecks();
  });

  it('verifies and records a base64-encoded body', async () => {
    const payload = buildOrderPayload();
    expect((await deliver('orders/create', payload, { base64: true })).body.status).toBe('recorded');
    expect(await store().get({ shop, orderId: String(payload.id) })).toBeDefined();
    await drainChecks();
  });

  it('verifies the HMAC over the exact bytes of a non-ASCII payload', async () => {
    const payload = buildOrderPayload({ name: '#Zoë-1043', note: 'Bitte schnell liefern 🚚 — 東京' });
    const response = await deliver('orders/create', payload);
    expect(response.body.status).toBe('recorded');
    expect((await store().get({ shop, orderId: String(payload.id) }))?.orderName).toBe('#Zoë-1043');
    await drainChecks();
  });

  it('records a 5 MB order payload', async () => {
    const payload = buildOrderPayload({ lineItems: 21_000 });
    const body = JSON.stringify(payload);
    expect(body.length).toBeGreaterThan(5_000_000);
    expect((await deliver('orders/create', body)).body.status).toBe('recorded');
    await drainChecks();
  });

  it.each([
    ['a wrong signature', { secret: 'not-the-secret' }],
    ['no signature header', { headers: { 'x-shopify-hmac-sha256': '' } }],
  ])('refuses %s with 401 and stores nothing', async (_name, options) => {
    const payload = buildOrderPayload();
    const response = await deliver('orders/create', payload, options);
    expect(response.statusCode).toBe(401);
    expect(await itemsFor(String(payload.id))).toEqual([]);
  });

  it('refuses a delivery for another shop with 403 and stores nothing', async () => {
    const payload = buildOrderPayload();
    const response = await deliver('orders/create', payload, { shop: 'someone-else.myshopify.com' });
    expect(response.statusCode).toBe(403);
    expect(await itemsFor(String(payload.id))).toEqual([]);
  });

  it('answers an authentic delivery of another topic 200 and ignores it', async () => {
    const payload = buildOrderPayload();
    const response = await deliver('products/update', payload);
    expect(response).toEqual({
      statusCode: 200,
      body: { status: 'ignored', message: 'topic products/update is not monitored' },
    });
    expect(await itemsFor(String(payload.id))).toEqual([]);
  });

  it.each([
    ['a body that is not JSON', '<html>not json</html>', {}],
    ['an order without an id', JSON.stringify({ name: '#1', created_at: 'yesterday' }), {}],
    ['a delivery without its topic header', JSON.stringify(buildOrderPayload()), { 'x-shopify-topic': '' }],
  ])('quarantines %s raw, answers 200 and queues nothing', async (_name, body, headers) => {
    const eventId = `evt-quarantine-${nextOrderId()}`;
    const response = await deliver('orders/create', body, { eventId, headers });
    expect(response.statusCode).toBe(200);
    expect(response.body.status).toBe('quarantined');
    const { Contents } = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'quarantine/' }),
    );
    const key = Contents?.map((object) => object.Key).find((name) => name?.includes(eventId));
    expect(key).toBeDefined();
    const object = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await object.Body?.transformToString()).toBe(body);
    expect(await receiveChecks(0)).toEqual([]);
  });
});

describe('POST /webhooks/shopify with bytes that are not text', () => {
  it('verifies the HMAC on the bytes and quarantines an authentic body that is not valid UTF-8', async () => {
    const text = JSON.stringify(buildOrderPayload({ name: '#Zoë-1044' }));
    // A Latin-1 "ë" where UTF-8 was promised, plus a stray 0xFF: authentic, signed, and not UTF-8.
    const bytes = Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from([0xff])]);
    const eventId = `evt-not-utf8-${nextOrderId()}`;
    const headers = {
      ...webhookHeaders({ topic: 'orders/create', shop, body: '', secret, eventId }),
      'x-shopify-hmac-sha256': signWebhook(bytes, secret),
    };

    const response = await handler(
      httpApiEvent({ method: 'POST', path: '/webhooks/shopify', headers, body: bytes, base64: true }),
      lambdaContext('webhook'),
    );

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? '{}')).toEqual({
      status: 'quarantined',
      message: 'body is not valid UTF-8',
    });
    const { Contents } = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'quarantine/' }),
    );
    const key = Contents?.map((object) => object.Key).find((name) => name?.includes(eventId));
    const object = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from((await object.Body?.transformToByteArray()) ?? [])).toEqual(bytes);
    expect(await receiveChecks(0)).toEqual([]);
  });

  it('still refuses those bytes with 401 when the signature is not theirs', async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x7d]);
    const headers = {
      ...webhookHeaders({ topic: 'orders/create', shop, body: '', secret }),
      'x-shopify-hmac-sha256': signWebhook(Buffer.from([0x7b, 0x7d]), secret),
    };
    const response = await handler(
      httpApiEvent({ method: 'POST', path: '/webhooks/shopify', headers, body: bytes, base64: true }),
      lambdaContext('webhook'),
    );
    expect(response.statusCode).toBe(401);
  });
});

describe('POST /webhooks/shopify with what DynamoDB cannot hold (#11 §8, §10)', () => {
  it('quarantines an authentic order whose name is too large to store, answers 200 and queues nothing', async () => {
    const eventId = `evt-huge-name-${nextOrderId()}`;
    const payload = buildOrderPayload({ name: `#${'9'.repeat(500_000)}` });
    const response = await deliver('orders/create', payload, { eventId });
    expect(response.statusCode).toBe(200);
    expect(response.body.status).toBe('quarantined');
    expect(await itemsFor(String(payload.id))).toEqual([]);
    const { Contents } = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'quarantine/' }),
    );
    expect(Contents?.some((object) => object.Key?.includes(eventId))).toBe(true);
    expect(await receiveChecks(0)).toEqual([]);
  });

  it('records only ids the API reads back: every recorded id answers GET /orders/{id}', async () => {
    const api = (
      (await import('../../functions/api/handler.js')) as unknown as {
        handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
      }
    ).handler;
    const ids = [
      '7',
      '820982911946154508',
      '18446744073709551615',
      '18446744073709551616',
      '12345678901234567890123',
    ];
    for (const id of ids) {
      const payload = { ...buildOrderPayload(), admin_graphql_api_id: `gid://shopify/Order/${id}` };
      const response = await deliver('orders/create', payload, { eventId: `evt-id-${id}` });
      expect(response.statusCode).toBe(200);
      const read = await api(
        httpApiEvent({ method: 'GET', path: `/orders/${id}`, pathParameters: { shopifyOrderId: id } }),
        lambdaContext('api'),
      );
      if (response.body.status === 'recorded') expect(read.statusCode).toBe(200);
      else
        expect({ id, status: response.body.status, read: read.statusCode }).toEqual({
          id,
          status: 'quarantined',
          read: 400,
        });
    }
    await drainChecks();
  });
});

describe('POST /webhooks/shopify under concurrent deliveries of one order (#11 §9)', () => {
  it('records a burst of distinct deliveries of one order without a 503', async () => {
    const payload = buildOrderPayload();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        deliver(
          index % 2 === 0 ? 'orders/create' : 'orders/fulfilled',
          index % 2 === 0 ? payload : { ...payload, fulfillment_status: 'fulfilled' },
          { eventId: `evt-burst-${payload.id}-${index}` },
        ),
      ),
    );
    expect(results.map((result) => result.statusCode)).toEqual(results.map(() => 200));
    const { timeline } = await store().getWithTimeline(String(payload.id));
    expect(timeline).toHaveLength(12);
    await drainChecks();
  });
});

describe('when storage or the queue fails', () => {
  /** The webhook function's own wiring, with checks due at once. */
  const baseDeps = () =>
    createWebhookDeps(
      parseConfig(webhookSchema, {
        ...process.env,
        CHECK_DELAY_SECONDS: '0',
        FULFILLED_CHECK_DELAY_SECONDS: '0',
      }),
      { credentials: aws.credentials },
    );
  const request = (payload: Record<string, unknown>, eventId: string) => {
    const body = JSON.stringify(payload);
    return {
      headers: webhookHeaders({ topic: 'orders/create', shop, body, secret, eventId }),
      rawBody: Buffer.from(body),
    };
  };

  it('answers 5xx when the check cannot be queued, leaves the record findable as overdue, and records the retry', async () => {
    const payload = buildOrderPayload();
    const eventId = `evt-${nextOrderId()}`;
    const failingQueue = {
      schedule: async () => {
        throw new Error('SQS unavailable');
      },
    };
    await expect(
      ingestWebhook({ ...baseDeps(), queue: failingQueue }, request(payload, eventId)),
    ).rejects.toThrow(/could not be queued/);
    const stranded = await store().get({ shop, orderId: String(payload.id) });
    expect(stranded?.nextCheckAt).toBeTypeOf('number');
    const overdue = await store().listOverdue(shop, Date.now() + 1);
    expect(overdue.map((record) => record.orderId)).toContain(String(payload.id));

    // Shopify's retry of the same event is processed, not taken for a duplicate.
    const retried = await ingestWebhook(baseDeps(), request(payload, eventId));
    expect(retried.status).toBe('recorded');
    const checks = await drainChecks();
    expect(checks.filter((check) => check.orderId === String(payload.id))).toHaveLength(1);
  });

  it('queues the check again when a retried delivery finds the record but its check was never sent (#11 §2)', async () => {
    const payload = buildOrderPayload();
    const eventId = `evt-crash-${nextOrderId()}`;
    // The process died between the DynamoDB write and the SQS send: no message, no chance to undo the record.
    const died = () => {
      throw new Error('process killed');
    };
    const crashed = { ...baseDeps(), queue: { schedule: async () => died() } };
    crashed.store = { ...crashed.store, abandonDelivery: async () => died() };
    await expect(ingestWebhook(crashed, request(payload, eventId))).rejects.toThrow();
    expect(await receiveChecks(0)).toEqual([]);

    const retried = await ingestWebhook(baseDeps(), request(payload, eventId));
    expect(retried.status).toBe('duplicate');
    const recorded = await store().get({ shop, orderId: String(payload.id) });
    const checks = await drainChecks();
    expect(checks.filter((check) => check.orderId === String(payload.id))).toEqual([
      { v: 1, shop, orderId: String(payload.id), reason: 'created', dueAt: recorded?.nextCheckAt },
    ]);
  });

  it('answers 5xx when DynamoDB fails, and stores nothing', async () => {
    const payload = buildOrderPayload();
    const broken = createOrderRepository({ client: aws.doc, tableName: 'no-such-table' });
    await expect(
      ingestWebhook({ ...baseDeps(), store: broken }, request(payload, `evt-${nextOrderId()}`)),
    ).rejects.toThrow();
    expect(await itemsFor(String(payload.id))).toEqual([]);
    expect(await receiveChecks(0)).toEqual([]);
  });
});
