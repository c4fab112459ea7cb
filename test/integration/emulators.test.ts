import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAws, type TestAws } from '../support/aws.js';

describe('the test emulators', () => {
  let aws: TestAws;
  beforeAll(async () => {
    aws = await createTestAws();
  });
  afterAll(() => aws.destroy());

  it('serves the order table from DynamoDB Local', async () => {
    const { TableNames } = await aws.dynamo.send(new ListTablesCommand({}));
    expect(TableNames).toContain(aws.tableName);
  });

  it('delivers a queued message through fauxqs', async () => {
    const queue = await aws.createQueue('probe');
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: '{"hello":1}' }));
    const { Messages } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1 }),
    );
    expect(Messages?.[0]?.Body).toBe('{"hello":1}');
  });
});
