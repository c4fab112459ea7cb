import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface QueuePoller {
  stop(): Promise<void>;
}

/**
 * What Lambda's SQS event source does, on this machine: long-poll the queue, hand batches to the handler as an
 * SQSEvent, delete what succeeded, and leave failed records alone. As in AWS, the handler itself holds each failed
 * record back for the retry schedule's wait (`shared/domain/retry-schedule.ts`); after `maxReceiveCount` receives
 * the queue's redrive policy moves it to the DLQ.
 */
export const startQueuePoller = (options: {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  functionName: string;
  handler: SqsHandler;
  batchSize?: number;
  onError?: (error: unknown) => void;
}): QueuePoller => {
  let running = true;
  let inFlight: Promise<void> = Promise.resolve();
  const { client, queueUrl } = options;

  const once = async () => {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, options.batchSize ?? 10),
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    if (Messages.length === 0) return;
    const records: SQSRecord[] = Messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: options.queueArn,
      awsRegion: 'us-east-1',
    }));
    let failed = new Set(records.map((record) => record.messageId));
    try {
      const response = await options.handler({ Records: records }, lambdaContext(options.functionName));
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      options.onError?.(error);
    }
    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
    }
  };

  const loop = async () => {
    while (running) {
      inFlight = once().catch((error: unknown) => {
        options.onError?.(error);
        return new Promise((resolve) => setTimeout(resolve, 1000));
      });
      await inFlight;
    }
  };
  const looping = loop();

  return {
    async stop() {
      running = false;
      await looping;
    },
  };
};
