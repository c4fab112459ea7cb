import type { AwsEndpoints } from '../adapters/aws/clients.js';
import { createDynamoClient, createSqsClient } from '../adapters/aws/clients.js';
import { createOrderRepository } from '../adapters/dynamo/order-repository.js';
import { createCheckQueue } from '../adapters/sqs/check-queue.js';
import { createDeadLetterQueue } from '../adapters/sqs/dead-letter-queue.js';
import { createNotifyQueue } from '../adapters/sqs/notify-queue.js';
import { createRetryLater, type RetryLater } from '../adapters/sqs/retry-later.js';
import type { RetryConfig } from '../config/config.js';
import { retryScheduleFromConfig } from '../config/settings.js';
import type { CheckQueue, Clock, DeadLetterQueue, Notifier, Telemetry } from '../domain/ports.js';
import { silentTelemetry } from '../observability/telemetry.js';
import { awsOptions, type WiringOptions } from './options.js';

/** What every factory gives unless told otherwise: the system clock, and no logs or metrics. */
export const runtimeDefaults: { telemetry: Telemetry; clock: Clock } = {
  telemetry: silentTelemetry,
  clock: { now: () => Date.now() },
};

/** The order-sync table: its document client (for the other stores in it) and the order repository. */
export const createOrderTable = (config: AwsEndpoints & { TABLE_NAME: string }, options: WiringOptions) => {
  const client = createDynamoClient(config, awsOptions(options));
  return { client, store: createOrderRepository({ client, tableName: config.TABLE_NAME }) };
};

type QueueConfig = AwsEndpoints & { CHECK_QUEUE_URL: string };

/** The check queue, and the notify queue for the functions that send notifications (one SQS client). */
export function createQueues(
  config: QueueConfig & { NOTIFY_QUEUE_URL: string },
  options: WiringOptions,
): { queue: CheckQueue; notifier: Notifier };
export function createQueues(config: QueueConfig, options: WiringOptions): { queue: CheckQueue };
export function createQueues(config: QueueConfig & { NOTIFY_QUEUE_URL?: string }, options: WiringOptions) {
  const client = createSqsClient(config, awsOptions(options));
  const queue = createCheckQueue({ client, queueUrl: config.CHECK_QUEUE_URL });
  return config.NOTIFY_QUEUE_URL
    ? { queue, notifier: createNotifyQueue({ client, queueUrl: config.NOTIFY_QUEUE_URL }) }
    : { queue };
}

/**
 * What the handler of a queue does with its failed records and its DLQ: hold the failed ones back for the retry
 * schedule's wait, and (with a DLQ configured) move dead letters back once a batch shows the dependency healthy.
 * fauxqs has no message move tasks, so against a local endpoint the DLQ is redriven by receive and send.
 */
export const createQueueRetries = (
  config: AwsEndpoints & RetryConfig & { queueUrl?: string | undefined; dlqUrl?: string | undefined },
  options: WiringOptions & { telemetry: Telemetry },
): { retryLater: RetryLater; deadLetters?: DeadLetterQueue } => {
  const client = createSqsClient(config, awsOptions(options));
  const { queueUrl, dlqUrl } = config;
  const retryLater: RetryLater = queueUrl
    ? createRetryLater({
        client,
        queueUrl,
        schedule: retryScheduleFromConfig(config),
        onError: (error) =>
          options.telemetry.warn('Failed records keep the queue visibility timeout', {
            error: String(error),
          }),
      })
    : async () => {};
  if (!queueUrl || !dlqUrl) return { retryLater };
  const strategy = config.SQS_ENDPOINT ? 'copy' : 'move-task';
  return {
    retryLater,
    deadLetters: createDeadLetterQueue({ client, dlqUrl, sourceUrl: queueUrl, strategy }),
  };
};
