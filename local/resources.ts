import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { defaultRetrySchedule, type RetrySchedule } from '../shared/domain/retry-schedule.js';
import { ensureTable } from './emulators.js';

export interface LocalQueue {
  url: string;
  arn: string;
}

export interface LocalResources {
  tableName: string;
  checkQueue: LocalQueue;
  checkDlq: LocalQueue;
  notifyQueue: LocalQueue;
  notifyDlq: LocalQueue;
  /** replies to people who acted from Slack, and their DLQ */
  slackReplyQueue: LocalQueue;
  slackReplyDlq: LocalQueue;
  bucket: string;
}

/**
 * Creates the queue, or takes the existing one of an earlier run (`.data/`) and sets its attributes to today's, so a
 * changed retry schedule applies to queues created before it.
 */
const createQueue = async (sqs: SQSClient, name: string, attributes: Record<string, string> = {}) => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`could not create queue ${name}`);
  if (Object.keys(attributes).length > 0) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  }
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
};

/**
 * The table, queues (with DLQs) and quarantine bucket the stacks create in AWS, created in the emulators. The
 * redrive policy takes `maxReceiveCount` from the same retry schedule as the stateful stack (compressed only when
 * the environment asks, e.g. in the fault suite).
 */
export const provisionLocal = async (
  clients: {
    dynamo: DynamoDBClient;
    sqs: SQSClient;
    s3: S3Client;
  },
  schedule: RetrySchedule = defaultRetrySchedule,
): Promise<LocalResources> => {
  const tableName = 'order-sync';
  await ensureTable(clients.dynamo, tableName);
  const checkDlq = await createQueue(clients.sqs, 'order-sync-checks-dlq');
  const notifyDlq = await createQueue(clients.sqs, 'order-sync-notifications-dlq');
  const redrive = (dlq: LocalQueue) => ({
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: String(schedule.maxReceiveCount),
    }),
    VisibilityTimeout: '60',
  });
  const checkQueue = await createQueue(clients.sqs, 'order-sync-checks', redrive(checkDlq));
  const notifyQueue = await createQueue(clients.sqs, 'order-sync-notifications', redrive(notifyDlq));
  const slackReplyDlq = await createQueue(clients.sqs, 'order-sync-slack-replies-dlq');
  const slackReplyQueue = await createQueue(clients.sqs, 'order-sync-slack-replies', redrive(slackReplyDlq));
  const bucket = 'order-sync-quarantine';
  try {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
  return { tableName, checkQueue, checkDlq, notifyQueue, notifyDlq, slackReplyQueue, slackReplyDlq, bucket };
};
