import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ActionReplies, ActionReply } from '../../domain/ports.js';

export class ActionReplyQueueError extends Error {
  override name = 'ActionReplyQueueError';
}

/**
 * The Slack reply queue's producer: the Slack function (mute, ignore, notices) and the checker (the outcome of a
 * check a person asked for) hand replies to the worker that posts them. No batching window on the consumer, so a
 * person sees the outcome within seconds.
 */
export const createActionReplyQueue = (params: { client: SQSClient; queueUrl: string }): ActionReplies => ({
  async send(replies: readonly ActionReply[]) {
    for (let start = 0; start < replies.length; start += 10) {
      let entries = replies
        .slice(start, start + 10)
        .map((reply, index) => ({ Id: String(index), MessageBody: JSON.stringify(reply) }));
      for (let attempt = 0; entries.length > 0; attempt++) {
        const { Failed } = await params.client.send(
          new SendMessageBatchCommand({ QueueUrl: params.queueUrl, Entries: entries }),
        );
        const failed = new Set((Failed ?? []).map((failure) => failure.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
        if (entries.length > 0 && attempt >= 1) {
          throw new ActionReplyQueueError(`${entries.length} Slack replies could not be queued`);
        }
      }
    }
  },
});
