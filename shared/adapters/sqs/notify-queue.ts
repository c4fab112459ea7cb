import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Notification, Notifier } from '../../domain/ports.js';

export class NotifyQueueError extends Error {
  override name = 'NotifyQueueError';
  constructor(
    message: string,
    readonly failed: readonly BatchResultErrorEntry[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

// SQS takes at most 10 entries and 256 KiB per SendMessageBatch.
const maxEntries = 10;
const maxBatchBytes = 250 * 1024;

const chunk = (entries: SendMessageBatchRequestEntry[]): SendMessageBatchRequestEntry[][] => {
  const chunks: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.MessageBody ?? '');
    if (current.length === maxEntries || (current.length > 0 && bytes + size > maxBatchBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};

/**
 * The notify queue's producer: the checker hands notifications to it and the notifier Lambda consumes them. Failed
 * entries are retried once; if any still fails this throws, so the caller's own message is retried by SQS.
 */
export const createNotifyQueue = (params: { client: SQSClient; queueUrl: string }): Notifier => {
  const send = async (entries: SendMessageBatchRequestEntry[]): Promise<BatchResultErrorEntry[]> => {
    const results = await Promise.all(
      chunk(entries).map((batch) =>
        params.client.send(new SendMessageBatchCommand({ QueueUrl: params.queueUrl, Entries: batch })),
      ),
    );
    return results.flatMap((result) => result.Failed ?? []);
  };

  return {
    async notify(notifications: readonly Notification[]) {
      if (notifications.length === 0) return;
      const entries = notifications.map((notification, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(notification),
        MessageAttributes: { kind: { DataType: 'String', StringValue: notification.kind } },
      }));
      const failed = await send(entries);
      if (failed.length === 0) return;
      // A sender fault (message too large, bad attribute) fails the same way again; only SQS-side failures are retried.
      const retryable = failed.filter((entry) => !entry.SenderFault).map((entry) => entry.Id);
      const stillFailed = [
        ...failed.filter((entry) => entry.SenderFault),
        ...(await send(entries.filter((entry) => retryable.includes(entry.Id)))),
      ];
      if (stillFailed.length > 0) {
        throw new NotifyQueueError(
          `Could not queue ${stillFailed.length} of ${notifications.length} notifications: ${stillFailed
            .map((entry) => `${entry.Code}${entry.Message ? ` (${entry.Message})` : ''}`)
            .join(', ')}`,
          stillFailed,
        );
      }
    },
  };
};
