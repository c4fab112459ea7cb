import * as z from 'zod';
import type { Notification } from '../../domain/ports.js';

/** A message queued before `cause` was renamed `explanation` still reads the same. */
const renamedFields = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null || !('cause' in value) || 'explanation' in value)
    return value;
  const { cause, ...rest } = value as Record<string, unknown>;
  return { ...rest, explanation: cause };
};

/** The notify queue's message body: a Notification as JSON (see createNotifyQueue). */
export const notificationSchema = z.preprocess(
  renamedFields,
  z.object({
    kind: z.enum(['needs_human', 'resolved', 'escalated', 'alarm', 'quarantined']),
    shop: z.string().min(1),
    order: z
      .object({
        orderId: z.string().min(1),
        orderName: z.string().min(1),
        channel: z.enum(['pos', 'web', 'other']),
        state: z.string().min(1),
        outOfSyncSince: z.number(),
        shopifyUrl: z.string().min(1),
        hotwaxUrl: z.string().min(1).optional(),
      })
      .optional(),
    title: z.string().min(1),
    explanation: z.string().optional(),
    fix: z.string().optional(),
    rawError: z.string().optional(),
    bundle: z.record(z.string(), z.unknown()).optional(),
    at: z.number(),
  }),
) satisfies z.ZodType<Notification>;

export class InvalidNotificationError extends Error {
  override name = 'InvalidNotificationError';
}

/** Parses a queue message body; throws InvalidNotificationError naming every problem. */
export const parseNotificationBody = (body: string): Notification => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidNotificationError('The notification is not JSON', { cause: error });
  }
  const result = notificationSchema.safeParse(json);
  if (!result.success) {
    throw new InvalidNotificationError(
      `The notification is invalid: ${result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'} ${issue.message}`).join('; ')}`,
      { cause: result.error },
    );
  }
  return result.data;
};
