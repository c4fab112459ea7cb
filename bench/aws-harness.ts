import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ensureTable, startEmulators } from '../local/emulators.js';
import { localAwsEnv, localClients } from '../local/local-aws.js';

/** DynamoDB Local + fauxqs for a benchmark, with a table, two queues and a bucket. */
export const startBenchAws = async () => {
  const emulators = await startEmulators();
  const clients = localClients(emulators);
  const { dynamo, doc, sqs, s3 } = clients;
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
      ...localAwsEnv(emulators),
      TABLE_NAME: tableName,
      CHECK_QUEUE_URL: checkQueue.url,
      NOTIFY_QUEUE_URL: notifyQueue.url,
      QUARANTINE_BUCKET: 'bench-quarantine',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    async close() {
      clients.destroy();
      await emulators.stop();
    },
  };
};
