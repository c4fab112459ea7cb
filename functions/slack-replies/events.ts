import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { ReplyDelivery } from '../../shared/use-cases/slack-actions/post-replies.js';

const actionReply = z.object({
  v: z.literal(1),
  requestId: z.string().min(1).max(300),
  shop: z.string().min(1),
  orderId: z.string().regex(/^\d{1,20}$/),
  notice: z.string().max(3000).optional(),
});

/** The reply queue's batch; a malformed record can never succeed and is left to fail into the DLQ. */
export const parseReplyRecords = (records: readonly SQSRecord[]): ReplyDelivery[] =>
  records.flatMap((record) => {
    try {
      const parsed = actionReply.safeParse(JSON.parse(record.body));
      return parsed.success ? [{ id: record.messageId, reply: parsed.data }] : [];
    } catch {
      return [];
    }
  });
