import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CheckMessage } from '../../domain/order-sync.js';
import type { CheckQueue } from '../../domain/ports.js';

/** SQS caps DelaySeconds at 15 minutes; a longer wait is finished by the checker re-queueing until `dueAt`. */
export const maxDelaySeconds = 900;

export class QueueSendError extends Error {
  override name = 'QueueSendError';
}

export const delaySecondsFor = (dueAt: number, now: number): number =>
  Math.min(maxDelaySeconds, Math.max(0, Math.ceil((dueAt - now) / 1000)));

export const createCheckQueue = ({
  client,
  queueUrl,
}: {
  client: SQSClient;
  queueUrl: string;
}): CheckQueue => ({
  async schedule(messages, now) {
    if (messages.length === 1) {
      const [message] = messages as [CheckMessage];
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          DelaySeconds: delaySecondsFor(message.dueAt, now),
          MessageGroupId: message.shop,
        }),
      );
      return;
    }
    for (let start = 0; start < messages.length; start += 10) {
      let entries = messages.slice(start, start + 10).map((message, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(message),
        DelaySeconds: delaySecondsFor(message.dueAt, now),
        // The shop is the tenant of SQS fair queues: on a standard queue, a shop's flash sale backlog is then
        // de-prioritised against the other shops' checks instead of delaying them (noisy neighbour).
        MessageGroupId: message.shop,
      }));
      // Entries can fail one by one inside a 200; send those again once before giving up.
      for (let attempt = 0; entries.length > 0; attempt++) {
        const { Failed } = await client.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        );
        const failedIds = new Set((Failed ?? []).map((failure) => failure.Id));
        entries = entries.filter((entry) => failedIds.has(entry.Id));
        if (entries.length > 0 && attempt >= 1) {
          throw new QueueSendError(`${entries.length} check messages could not be queued`);
        }
      }
    }
  },
});
