import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderRepository } from '../../shared/adapters/dynamo/order-repository.js';
import type { OrderRecord } from '../../shared/domain/order-sync.js';
import { getOrderStatus } from '../../shared/use-cases/get-order-status/get-order-status.js';
import { createTestAws, type TestAws } from '../support/aws.js';
import { webOrderFacts } from '../support/order-fixtures.js';

/** #11 §6: the table and GET /orders/{id} never hold or serve HotWax's error text unreduced, whoever wrote it. */
const leaky = 'Phone number is missing for customer Marta Kowalczyk, 742 Evergreen Terrace, +48 601 234 567';
const probes = ['Marta', 'Kowalczyk', 'Evergreen', 'Terrace', '601 234 567'];

let aws: TestAws;
beforeAll(async () => {
  aws = await createTestAws();
});
afterAll(() => aws.destroy());

const record = (orderId: string): OrderRecord => ({
  ...webOrderFacts(Date.now(), { shop: 'pii.myshopify.com', orderId }),
  state: 'blocked_on_data',
  stateSince: Date.now(),
  expectation: 'created',
  repairAttempts: 0,
  version: 0,
  firstSeenAt: Date.now(),
  source: 'webhook',
  finding: { title: 'Phone number missing or invalid', explanation: 'x', fix: 'y', rawError: leaky },
});

describe('HotWax error texts at rest', () => {
  it('are reduced by the repository before they reach DynamoDB', async () => {
    const store = createOrderRepository({ client: aws.doc, tableName: aws.tableName });
    const now = Date.now();
    await store.save(record('9100'), {
      expectedVersion: undefined,
      now,
      events: [{ at: now, type: 'check.blocked_on_data', message: 'blocked', detail: { rawError: leaky } }],
    });
    const { Items = [] } = await aws.doc.send(new ScanCommand({ TableName: aws.tableName }));
    const table = JSON.stringify(Items);
    expect(table).toContain('Phone number is missing for customer');
    for (const probe of probes) expect(table).not.toContain(probe);
  });

  it('are served reduced even from a record written before the table reduced them', async () => {
    const old = record('9200');
    await aws.doc.send(
      new PutCommand({
        TableName: aws.tableName,
        Item: { ...old, pk: 'ORDER#9200', sk: `SHOP#${old.shop}`, kind: 'order', version: 1 },
      }),
    );
    await aws.doc.send(
      new PutCommand({
        TableName: aws.tableName,
        Item: {
          pk: 'ORDER#9200',
          sk: `SHOP#${old.shop}#EV#00000000000001#abcd`,
          kind: 'event',
          shop: old.shop,
          at: 1,
          type: 'check.blocked_on_data',
          message: 'blocked',
          detail: { rawError: leaky },
        },
      }),
    );
    const store = createOrderRepository({ client: aws.doc, tableName: aws.tableName });
    const served = JSON.stringify(await getOrderStatus(store, '9200'));
    expect(served).toContain('Phone number is missing for customer');
    for (const probe of probes) expect(served).not.toContain(probe);
  });
});
