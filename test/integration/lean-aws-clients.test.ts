import { GetItemCommand, QueryCommand as RawQueryCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand as SdkSendMessageCommand } from '@aws-sdk/client-sqs';
import {
  PutCommand as SdkPutCommand,
  TransactWriteCommand as SdkTransactWriteCommand,
  UpdateCommand as SdkUpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedCommandError } from '../../shared/adapters/aws/aws-json-client.js';
import {
  DynamoDBClient,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '../../shared/adapters/aws/lean-dynamodb.js';
import {
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '../../shared/adapters/aws/lean-sqs.js';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import type { OrderRecord, TimelineEvent } from '../../shared/domain/order-sync.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { webOrderFacts } from '../support/order-fixtures.js';
import { importBundled } from '../support/webhook-bundle.js';

/**
 * The webhook bundle's lean DynamoDB and SQS clients against DynamoDB Local and fauxqs, with the SDK beside them as
 * the reference: what one writes the other reads back identically, and both fail with the same errors.
 */
let aws: TestAws;
let lean: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;
/** The order repository over the wiring's document client, both as the webhook bundle holds them. */
let bundled: {
  createOrderRepository: typeof import('../../shared/adapters/dynamo/order-repository.js').createOrderRepository;
  createDynamoClient: typeof import('../../shared/adapters/aws/clients.js').createDynamoClient;
};
const shop = 'acme-test.myshopify.com';
const now = Date.UTC(2026, 11, 2, 12);

beforeAll(async () => {
  aws = await createTestAws();
  const config = { region: 'us-east-1', maxAttempts: 3, credentials: aws.credentials };
  // The same translation options as the wiring's document client (`clients.ts`).
  lean = DynamoDBDocumentClient.from(new DynamoDBClient({ ...config, endpoint: aws.dynamoEndpoint }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  sqs = new SQSClient({ ...config, endpoint: aws.sqsEndpoint });
  queueUrl = (await aws.createQueue('lean-checks')).url;
  bundled = await importBundled(
    `export { createOrderRepository } from './shared/adapters/dynamo/order-repository.ts';
     export { createDynamoClient } from './shared/adapters/aws/clients.ts';`,
  );
});
afterAll(() => aws.destroy());

const stores = () => ({
  viaLean: bundled.createOrderRepository({
    client: bundled.createDynamoClient(
      { AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: aws.dynamoEndpoint },
      { credentials: aws.credentials },
    ),
    tableName: aws.tableName,
  }),
  // The same repository code, unbundled, over the SDK's document client.
  viaSdk: createOrderRepository({ client: aws.doc, tableName: aws.tableName }),
});

const record = (orderId: string): OrderRecord => ({
  ...webOrderFacts(now - 60_000, { shop, orderId }),
  orderName: '#1042 – Ünïcode',
  state: 'blocked_on_data',
  stateSince: now,
  expectation: 'created',
  nextCheckAt: now + 600_000,
  repairAttempts: 1,
  version: 0,
  firstSeenAt: now - 60_000,
  source: 'webhook',
  hotwax: { orderId: 'HW100', statusId: 'ORDER_CREATED', versions: 1, seenAt: now, url: undefined },
  finding: {
    title: 'Phone number missing or invalid',
    explanation: 'HotWax refused the order: the shipping address has no phone.',
    fix: 'Add a phone to the shipping address in Shopify.',
    rawError: 'phone is required',
    mdmLogId: undefined,
  },
  repairs: [{ at: now, kind: 'reimport_job', detail: 'New Orders' }],
  rechecks: 0,
  lastWebhookAt: undefined,
});

/** Every item of an order's partition, raw AttributeValues, with the order id and random suffixes taken out. */
const rawPartition = async (orderId: string) => {
  const { Items = [] } = await aws.dynamo.send(
    new RawQueryCommand({
      TableName: aws.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `ORDER#${orderId}` } },
      ConsistentRead: true,
    }),
  );
  return JSON.parse(
    JSON.stringify(Items)
      .replaceAll(orderId, '<id>')
      .replace(/#EV#(\d+)#[0-9a-f]+/g, '#EV#$1#<r>')
      // each save's own random id (order-repository.ts, `writeIdAttribute`)
      .replace(/"writeId":\{"S":"[\w-]+"\}/g, '"writeId":{"S":"<w>"}'),
  ) as unknown[];
};

const caught = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
};

/** What callers read off an SDK error, without the SDK's class or request ids. */
const shapeOf = (error: Error & Record<string, unknown>) => ({
  name: error.name,
  message: error.message,
  $fault: error.$fault,
  status: (error.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode,
  Item: error.Item,
  CancellationReasons: error.CancellationReasons,
});

describe('the lean DynamoDB document client', () => {
  it('stores an order record, its dedupe key and timeline exactly as lib-dynamodb does', async () => {
    const { viaLean, viaSdk } = stores();
    const events: TimelineEvent[] = [
      { at: now, type: 'webhook.orders/create', message: 'Shopify sent the order', state: 'pending_check' },
      {
        at: now + 1,
        type: 'check.blocked',
        message: 'HotWax refused it',
        detail: { mdm: 'L1', none: undefined },
      },
    ];
    const saved = await viaLean.save(record('lean-1'), {
      expectedVersion: undefined,
      dedupeKey: 'evt-lean-1',
      events,
      now,
    });
    await viaSdk.save(record('sdk-1'), { expectedVersion: undefined, dedupeKey: 'evt-sdk-1', events, now });

    expect(saved.result).toBe('saved');
    const stored = await rawPartition('lean-1');
    expect(stored.length).toBeGreaterThan(0);
    expect(stored).toEqual(await rawPartition('sdk-1'));
    expect(await viaLean.get({ shop, orderId: 'lean-1' })).toEqual(
      await viaSdk.get({ shop, orderId: 'lean-1' }),
    );
  });

  it('answers a lost race and a redelivery through the repository as the SDK does', async () => {
    const { viaLean, viaSdk } = stores();
    await viaSdk.save(record('race-1'), {
      expectedVersion: undefined,
      dedupeKey: 'evt-race-1',
      events: [],
      now,
    });

    const again = (store: typeof viaSdk, dedupeKey: string) =>
      store.save(record('race-1'), { expectedVersion: undefined, dedupeKey, events: [], now });
    expect(await again(viaLean, 'evt-race-1')).toEqual(await again(viaSdk, 'evt-race-1'));
    expect(await again(viaLean, 'evt-race-2')).toEqual(await again(viaSdk, 'evt-race-3'));

    const current = await viaLean.get({ shop, orderId: 'race-1' });
    await viaLean.abandonDelivery(current as OrderRecord, 'evt-race-1');
    expect((await viaSdk.get({ shop, orderId: 'race-1' }))?.nextCheckAt).toBe(0);
  });

  it("fails a conditional put with the SDK's ConditionalCheckFailedException and the item as it was", async () => {
    const put = {
      TableName: aws.tableName,
      Item: { pk: 'ORDER#ccf-1', sk: `SHOP#${shop}`, version: 1, flags: { hasPhone: true }, tags: ['a'] },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
    await lean.send(new PutCommand(put));
    const fromLean = await caught(() => lean.send(new PutCommand(put)));
    const fromSdk = await caught(() => aws.doc.send(new SdkPutCommand(put)));

    expect(shapeOf(fromLean)).toEqual(shapeOf(fromSdk));
    expect(fromLean).toBeInstanceOf(Error);
    expect(fromLean.Item).toEqual({
      pk: { S: 'ORDER#ccf-1' },
      sk: { S: `SHOP#${shop}` },
      version: { N: '1' },
      flags: { M: { hasPhone: { BOOL: true } } },
      tags: { L: [{ S: 'a' }] },
    });
  });

  it("cancels a transaction with the SDK's TransactionCanceledException and its reasons", async () => {
    const transaction = {
      TransactItems: [
        {
          Put: {
            TableName: aws.tableName,
            Item: { pk: 'ORDER#ccf-1', sk: `SHOP#${shop}`, version: 2 },
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': 7 },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
          },
        },
        { Put: { TableName: aws.tableName, Item: { pk: 'ORDER#ccf-1', sk: 'SHOP#x#EV#1' } } },
      ],
    };
    const fromLean = await caught(() => lean.send(new TransactWriteCommand(transaction)));
    const fromSdk = await caught(() => aws.doc.send(new SdkTransactWriteCommand(transaction)));

    expect(fromLean.name).toBe('TransactionCanceledException');
    expect(shapeOf(fromLean)).toEqual(shapeOf(fromSdk));
  });

  it('refuses an item over DynamoDB limits with the same ValidationException', async () => {
    const put = {
      TableName: aws.tableName,
      Item: { pk: 'ORDER#big-1', sk: `SHOP#${shop}`, body: 'x'.repeat(410 * 1024) },
    };
    const fromLean = await caught(() => lean.send(new PutCommand(put)));
    const fromSdk = await caught(() => aws.doc.send(new SdkPutCommand(put)));

    expect(fromLean.name).toBe('ValidationException');
    expect(shapeOf(fromLean)).toEqual(shapeOf(fromSdk));
  });

  it('updates an item and hands back its new attributes unmarshalled', async () => {
    const update = (pk: string) => ({
      TableName: aws.tableName,
      Key: { pk, sk: `SHOP#${shop}` },
      UpdateExpression: 'SET nextCheckAt = :lost, checkShop = :shop, detail = :detail',
      ExpressionAttributeValues: {
        ':lost': 0,
        ':shop': shop,
        ':detail': { a: [1, 'two', null], b: undefined },
      },
      ReturnValues: 'ALL_NEW' as const,
    });
    const fromLean = await lean.send(new UpdateCommand(update('ORDER#upd-1')));
    const fromSdk = await aws.doc.send(new SdkUpdateCommand(update('ORDER#upd-2')));

    expect({ ...fromLean.Attributes, pk: '' }).toEqual({ ...fromSdk.Attributes, pk: '' });
    expect(fromLean.Attributes.detail).toEqual({ a: [1, 'two', null] });
    const raw = (pk: string) =>
      aws.dynamo.send(
        new GetItemCommand({ TableName: aws.tableName, Key: { pk: { S: pk }, sk: { S: `SHOP#${shop}` } } }),
      );
    expect({ ...(await raw('ORDER#upd-1')).Item, pk: {} }).toEqual({
      ...(await raw('ORDER#upd-2')).Item,
      pk: {},
    });
  });

  it('refuses the commands the webhook never sends instead of sending them half-right', async () => {
    await expect(lean.send(new QueryCommand({ TableName: aws.tableName }) as never)).rejects.toBeInstanceOf(
      UnsupportedCommandError,
    );
  });
});

describe('the lean SQS client', () => {
  it('queues a check with its delay and shop group, as the SDK does', async () => {
    const message = { QueueUrl: queueUrl, MessageBody: '{"orderId":"1","shop":"é"}', MessageGroupId: shop };
    const sent = await sqs.send(new SendMessageCommand({ ...message, DelaySeconds: 0 }));
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: '0', MessageBody: '{"orderId":"2"}', DelaySeconds: 0, MessageGroupId: shop },
          { Id: '1', MessageBody: '{"orderId":"3"}', DelaySeconds: 0, MessageGroupId: shop },
        ],
      }),
    );

    expect(sent.MessageId).toEqual(expect.any(String));
    expect(batch.Successful).toHaveLength(2);
    const received: unknown[] = [];
    for (let attempt = 0; attempt < 5 && received.length < 3; attempt++)
      received.push(...(await aws.receiveJson(queueUrl, 1)));
    expect(received).toEqual(
      expect.arrayContaining([{ orderId: '1', shop: 'é' }, { orderId: '2' }, { orderId: '3' }]),
    );
  });

  it('fails a send to a queue that does not exist with the error the SDK names', async () => {
    const missing = { QueueUrl: `${queueUrl}-missing`, MessageBody: '{}' };
    const fromLean = await caught(() => sqs.send(new SendMessageCommand(missing)));
    const fromSdk = await caught(() => aws.sqs.send(new SdkSendMessageCommand(missing)));

    expect(fromLean.name).toBe(fromSdk.name);
    expect(fromLean.$fault).toBe('client');
  });
});
