import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { CheckMessage } from '../../shared/domain/order-sync.js';
import { isShopifyOrderId } from '../../shared/domain/shopify-order-id.js';

const checkMessage = z.object({
  v: z.literal(1),
  shop: z.string().min(1),
  orderId: z.string().refine(isShopifyOrderId),
  reason: z.enum(['created', 'fulfilled', 'verify', 'recheck', 'sweep', 'manual']),
  dueAt: z.number(),
  requestedBy: z.object({ actor: z.string().min(1), requestId: z.string().min(1) }).optional(),
});

/** The check messages of a batch that parse; a malformed one can never succeed and is left to fail into the DLQ. */
export const parseCheckRecords = (records: readonly SQSRecord[]) =>
  records.flatMap((record) => {
    try {
      const parsed = checkMessage.safeParse(JSON.parse(record.body));
      return parsed.success ? [{ messageId: record.messageId, message: parsed.data as CheckMessage }] : [];
    } catch {
      return [];
    }
  });
