import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { ensureTable } from '../../local/emulators.js';
import { localAwsEnv, localClients, localCredentials } from '../../local/local-aws.js';

/** Clients pointed at the run's DynamoDB Local and fauxqs, and a fresh table and queues for one test file. */
export const createTestAws = async () => {
  const endpoints = { dynamoEndpoint: inject('dynamoEndpoint'), sqsEndpoint: inject('sqsEndpoint') };
  const clients = localClients(endpoints);
  const suffix = randomUUID().slice(0, 8);
  const tableName = `orders-${suffix}`;
  await ensureTable(clients.dynamo, tableName);

  const createQueue = async (name: string, attributes: Record<string, string> = {}) => {
    const { QueueUrl } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: `${name}-${suffix}`, Attributes: attributes }),
    );
    if (!QueueUrl) throw new Error(`fauxqs did not create ${name}`);
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
  };

  /**
   * One receive of up to 10 messages, their bodies parsed, deleted once read: a message left in flight would come back
   * after its visibility timeout and surface in a later test on a slow machine.
   */
  const receiveJson = async <T>(queueUrl: string, waitSeconds = 0): Promise<T[]> => {
    const { Messages } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
      }),
    );
    if (!Messages?.length) return [];
    await clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? '',
        })),
      }),
    );
    return Messages.map((message) => JSON.parse(message.Body ?? '{}') as T);
  };

  return {
    ...endpoints,
    ...clients,
    receiveJson,
    /** the environment the functions read to reach these emulators */
    env: localAwsEnv(endpoints),
    /** for the wiring factories, which otherwise use the SDK's credential chain */
    credentials: localCredentials,
    tableName,
    suffix,
    createQueue,
  };
};

export type TestAws = Awaited<ReturnType<typeof createTestAws>>;
