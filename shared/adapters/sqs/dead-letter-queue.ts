import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { DeadLetterQueue } from '../../domain/ports.js';

/**
 * A DLQ and the queue its messages came from.
 *
 * `move-task` (AWS): SQS's own redrive, `StartMessageMoveTask`, moves every message back to its source queue in the
 * background; one task per DLQ at a time. `copy` (fauxqs, which has no move tasks, and the probe of a few messages
 * everywhere): receive, send to the source queue, delete — the same port, so callers never know which.
 */
export const createDeadLetterQueue = (params: {
  client: SQSClient;
  dlqUrl: string;
  sourceUrl: string;
  strategy: 'move-task' | 'copy';
}): DeadLetterQueue => {
  const { client, dlqUrl, sourceUrl } = params;
  let dlqArn: string | undefined;

  const attributes = async (names: Array<'QueueArn' | 'ApproximateNumberOfMessages'>) =>
    (await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: names })))
      .Attributes ?? {};

  /** Up to `max` messages, ten at a time, while the DLQ gives any. */
  const copyBack = async (max: number): Promise<number> => {
    let moved = 0;
    while (moved < max) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: Math.min(10, max - moved),
          WaitTimeSeconds: 0,
          VisibilityTimeout: 60,
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      const { Failed = [] } = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: sourceUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            MessageBody: message.Body ?? '',
            ...(message.MessageAttributes ? { MessageAttributes: message.MessageAttributes } : {}),
          })),
        }),
      );
      const failed = new Set(Failed.map((entry) => entry.Id));
      // Only what reached the source queue leaves the DLQ; the rest is visible there again within a minute.
      const sent = Messages.filter((_, index) => !failed.has(String(index)));
      if (sent.length > 0) {
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: dlqUrl,
            Entries: sent.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
      }
      moved += sent.length;
      if (sent.length < Messages.length) break;
    }
    return moved;
  };

  const startMoveTask = async (): Promise<'started' | 'running'> => {
    dlqArn ??= (await attributes(['QueueArn'])).QueueArn;
    const { Results = [] } = await client.send(
      new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 1 }),
    );
    if (Results[0]?.Status === 'RUNNING') return 'running';
    // No DestinationArn: SQS moves each message back to the queue it was dead-lettered from.
    await client.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    return 'started';
  };

  return {
    async depth() {
      return Number((await attributes(['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages ?? 0);
    },
    async moveBack(options = {}) {
      if (options.max !== undefined || params.strategy === 'copy') {
        return copyBack(options.max ?? Number.POSITIVE_INFINITY);
      }
      return startMoveTask();
    },
  };
};
