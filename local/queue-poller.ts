import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface QueuePoller {
  stop(): Promise<void>;
}

/**
 * What Lambda's SQS event source does, on this machine: long-poll the queue, gather a batch of up to `batchSize`
 * messages for at most `maxBatchingWindowSeconds` after the first one (SQS hands out 10 per receive, as Lambda's
 * pollers get them), hand it to the handler as an SQSEvent, delete what succeeded, and leave failed records alone. As in AWS, the handler itself holds each failed
 * record back for the retry schedule's wait (`shared/domain/retry-schedule.ts`); after `maxReceiveCount` receives
 * the queue's redrive policy moves it to the DLQ.
 */
export const startQueuePoller = (options: {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  functionName: string;
  handler: SqsHandler;
  /** default 10, SQS's most per receive */
  batchSize?: number;
  /** how long a batch is gathered after its first message, default 0 (hand over what one receive got) */
  maxBatchingWindowSeconds?: number;
  onError?: (error: unknown) => void;
}): QueuePoller => {
  let running = true;
  let inFlight: Promise<void> = Promise.resolve();
  const { client, queueUrl } = options;

  const batchSize = Math.max(1, options.batchSize ?? 10);
  const windowMs = Math.max(0, (options.maxBatchingWindowSeconds ?? 0) * 1000);
  const receive = async (max: number, waitSeconds: number) => {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    return Messages;
  };

  /** The first receive long-polls; then the batch fills until it is full or its window has passed. */
  const gather = async () => {
    const messages = await receive(batchSize, 1);
    if (messages.length === 0) return messages;
    const closesAt = Date.now() + windowMs;
    while (running && messages.length < batchSize && Date.now() < closesAt) {
      const waitSeconds = Math.min(1, Math.floor((closesAt - Date.now()) / 1000));
      const more = await receive(batchSize - messages.length, waitSeconds);
      messages.push(...more);
      if (more.length === 0 && waitSeconds === 0)
        await new Promise((resolve) => setTimeout(resolve, Math.min(200, closesAt - Date.now())));
    }
    return messages;
  };

  const once = async () => {
    const Messages = await gather();
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
    // DeleteMessageBatch takes at most 10 entries.
    for (let start = 0; start < done.length; start += 10) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done
            .slice(start, start + 10)
            .map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
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
