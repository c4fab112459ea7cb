import * as z from 'zod';
import {
  type InvalidNotificationError,
  parseNotificationBody,
} from '../../shared/adapters/sqs/notification-schema.js';
import type { FailedRecord } from '../../shared/adapters/sqs/retry-later.js';
import type { CloudWatchAlarm } from '../../shared/domain/notification-text.js';
import { SlackUnavailableError } from '../../shared/domain/ports.js';
import type {
  DeliveryOutcome,
  NotificationDelivery,
} from '../../shared/use-cases/send-notifications/send-notifications.js';

const sqsEvent = z.object({
  Records: z
    .array(z.object({ messageId: z.string(), body: z.string(), eventSource: z.literal('aws:sqs') }))
    .min(1),
});
const snsEvent = z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal('aws:sns'),
        Sns: z.object({ Message: z.string(), Subject: z.string().nullish() }),
      }),
    )
    .min(1),
});
const cloudWatchAlarm = z.object({
  AlarmName: z.string().min(1),
  NewStateValue: z.string().min(1),
  NewStateReason: z.string().optional(),
  AlarmDescription: z.string().nullish(),
  OldStateValue: z.string().optional(),
  StateChangeTime: z.string().optional(),
  AlarmArn: z.string().optional(),
});

export type NotifierInput =
  | { source: 'sqs'; deliveries: NotificationDelivery[]; invalid: Map<string, InvalidNotificationError> }
  | { source: 'sns'; alarms: CloudWatchAlarm[] };

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** An SNS message that is not a CloudWatch alarm (a test publish, say) is still shown, as a notice. */
const toAlarm = (sns: { Message: string; Subject?: string | null | undefined }): CloudWatchAlarm => {
  const alarm = cloudWatchAlarm.safeParse(parseJson(sns.Message));
  if (alarm.success) return alarm.data;
  return { AlarmName: sns.Subject || 'SNS message', NewStateValue: 'NOTICE', NewStateReason: sns.Message };
};

/** The notify queue's batch (body = Notification JSON) or an SNS delivery of CloudWatch alarms. */
export const parseNotifierEvent = (event: unknown): NotifierInput => {
  const sns = snsEvent.safeParse(event);
  if (sns.success) return { source: 'sns', alarms: sns.data.Records.map((record) => toAlarm(record.Sns)) };
  const { Records } = sqsEvent.parse(event);
  const deliveries: NotificationDelivery[] = [];
  const invalid = new Map<string, InvalidNotificationError>();
  for (const record of Records) {
    try {
      deliveries.push({ id: record.messageId, notification: parseNotificationBody(record.body) });
    } catch (error) {
      // Reported as failed so it ends in the DLQ (and its alarm) instead of vanishing.
      invalid.set(record.messageId, error as InvalidNotificationError);
    }
  }
  return { source: 'sqs', deliveries, invalid };
};

/**
 * How long each failed record waits: an invalid one goes to the DLQ at once, a rate-limited one no sooner than
 * Slack's Retry-After, the others on the retry schedule.
 */
export const retryDetails =
  (input: Extract<NotifierInput, { source: 'sqs' }>, outcomes: ReadonlyMap<string, DeliveryOutcome>) =>
  (record: { messageId: string }): Partial<FailedRecord> => {
    const outcome = outcomes.get(record.messageId);
    const error = outcome && !outcome.ok ? outcome.error : undefined;
    return {
      permanent: input.invalid.has(record.messageId),
      notBeforeSeconds: error instanceof SlackUnavailableError ? error.retryAfter : undefined,
    };
  };
