import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localCredentials, localRegion, startEmulators } from '../local/emulators.js';

/** DynamoDB Local + fauxqs for a benchmark, with a table, two queues and a bucket. */
export const startBenchAws = async () => {
  const emulators = await startEmulators();
  const common = { region: localRegion, credentials: localCredentials };
  const dynamo = new DynamoDBClient({ ...common, endpoint: emulators.dynamoEndpoint });
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient({ ...common, endpoint: emulators.sqsEndpoint });
  const s3 = new S3Client({ ...common, endpoint: emulators.sqsEndpoint, forcePathStyle: true });
  const tableName = 'bench-orders';
  await ensureTable(dynamo, tableName);
  const queue = async (name: string) => {
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
  };
  const checkQueue = await queue('bench-checks');
  const notifyQueue = await queue('bench-notify');
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-quarantine' }));
  return {
    ...emulators,
    dynamo,
    doc,
    sqs,
    s3,
    tableName,
    checkQueue,
    notifyQueue,
    bucket: 'bench-quarantine',
    env: {
      AWS_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      TABLE_NAME: tableName,
      CHECK_QUEUE_URL: checkQueue.url,
      NOTIFY_QUEUE_URL: notifyQueue.url,
      DYNAMODB_ENDPOINT: emulators.dynamoEndpoint,
      SQS_ENDPOINT: emulators.sqsEndpoint,
      S3_ENDPOINT: emulators.sqsEndpoint,
      QUARANTINE_BUCKET: 'bench-quarantine',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    async close() {
      dynamo.destroy();
      sqs.destroy();
      s3.destroy();
      await emulators.stop();
    },
  };
};
