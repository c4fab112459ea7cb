import type { SendMessageBatchCommand, SendMessageBatchResult, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createNotifyQueue, NotifyQueueError } from '../../shared/adapters/sqs/notify-queue.js';
import type { Notification } from '../../shared/domain/ports.js';

const notification = (index: number): Notification => ({
  kind: 'needs_human',
  shop: 'acme.myshopify.com',
  title: `Order #${index} needs a person`,
  at: 1_700_000_000_000 + index,
});

/** An SQS client whose answers are scripted per call; records every batch it was sent. */
const fakeSqs = (answer: (call: number, ids: string[]) => Partial<SendMessageBatchResult>) => {
  const batches: string[][] = [];
  const client = {
    async send(command: SendMessageBatchCommand) {
      const ids = (command.input.Entries ?? []).map((entry) => entry.Id ?? '');
      batches.push(ids);
      return answer(batches.length, ids);
    },
  } as unknown as SQSClient;
  return { client, batches };
};

describe('the notify queue', () => {
  it('sends notifications in batches of at most 10', async () => {
    const sqs = fakeSqs((_, ids) => ({
      Successful: ids.map((Id) => ({ Id, MessageId: Id, MD5OfMessageBody: '' })),
    }));
    await createNotifyQueue({ client: sqs.client, queueUrl: 'q' }).notify(
      Array.from({ length: 23 }, (_, index) => notification(index)),
    );
    expect(sqs.batches.map((batch) => batch.length)).toEqual([10, 10, 3]);
  });

  it('retries entries SQS failed once, and succeeds when the retry goes through', async () => {
    const sqs = fakeSqs((call) =>
      call === 1 ? { Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] } : { Successful: [] },
    );
    await createNotifyQueue({ client: sqs.client, queueUrl: 'q' }).notify([notification(0), notification(1)]);
    expect(sqs.batches).toEqual([['0', '1'], ['1']]);
  });

  it("throws when an entry still fails, so the caller's message is retried by SQS", async () => {
    const sqs = fakeSqs(() => ({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] }));
    const queue = createNotifyQueue({ client: sqs.client, queueUrl: 'q' });
    await expect(queue.notify([notification(0)])).rejects.toBeInstanceOf(NotifyQueueError);
    expect(sqs.batches).toHaveLength(2);
  });

  it('does not retry an entry SQS rejected as malformed', async () => {
    const sqs = fakeSqs(() => ({ Failed: [{ Id: '0', Code: 'InvalidMessageContents', SenderFault: true }] }));
    const queue = createNotifyQueue({ client: sqs.client, queueUrl: 'q' });
    await expect(queue.notify([notification(0)])).rejects.toThrow(/InvalidMessageContents/);
    expect(sqs.batches).toHaveLength(1);
  });
});
