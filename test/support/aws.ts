import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureTable, localCredentials, localRegion } from '../../local/emulators.js';

/** Clients pointed at the run's DynamoDB Local and fauxqs, and a fresh table and queues for one test file. */
export const createTestAws = async () => {
  const dynamoEndpoint = inject('dynamoEndpoint');
  const sqsEndpoint = inject('sqsEndpoint');
  const common = { region: localRegion, credentials: localCredentials };
  const dynamo = new DynamoDBClient({ ...common, endpoint: dynamoEndpoint });
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient({ ...common, endpoint: sqsEndpoint });
  const s3 = new S3Client({ ...common, endpoint: sqsEndpoint, forcePathStyle: true });
  const suffix = randomUUID().slice(0, 8);
  const tableName = `orders-${suffix}`;
  await ensureTable(dynamo, tableName);

  const createQueue = async (name: string, attributes: Record<string, string> = {}) => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `${name}-${suffix}`, Attributes: attributes }),
    );
    if (!QueueUrl) throw new Error(`fauxqs did not create ${name}`);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
  };

  return {
    dynamoEndpoint,
    sqsEndpoint,
    dynamo,
    doc,
    sqs,
    s3,
    tableName,
    suffix,
    createQueue,
    destroy() {
      dynamo.destroy();
      sqs.destroy();
      s3.destroy();
    },
  };
};

export type TestAws = Awaited<ReturnType<typeof createTestAws>>;
