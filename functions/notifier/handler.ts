import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { failedRecords } from '../../shared/adapters/sqs/retry-later.js';
import { logger, metrics, notifications, redriveWhenHealthy, retryLater, tracing } from './deps.js';
import { parseNotifierEvent, retryDetails } from './events.js';

const processor = new BatchProcessor(EventType.SQS);

/**
 * Notify queue (SQS, body = Notification JSON) and CloudWatch alarms (SNS) → Slack. For SQS only the records that
 * failed are reported, and held back on the retry schedule (no sooner than Slack's Retry-After); a batch Slack took
 * moves dead-lettered notifications back. An SNS delivery that fails throws and Lambda retries it.
 */
export const handler = middy()
  .use(tracing.middlewares())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event: unknown, context: Context): Promise<SQSBatchResponse | undefined> => {
    const input = parseNotifierEvent(event);
    if (input.source === 'sns') {
      await notifications.sendAlarms(input.alarms);
      return undefined;
    }
    // Slack's waits are sat out within the invocation's time, never past it.
    const deadline = Date.now() + context.getRemainingTimeInMillis();
    const outcomes = await notifications.sendBatch(input.deliveries, { deadline });
    const recordHandler = async (record: SQSRecord) => {
      const invalid = input.invalid.get(record.messageId);
      if (invalid) throw invalid;
      const outcome = outcomes.get(record.messageId);
      if (!outcome?.ok) throw outcome?.error ?? new Error(`No outcome for record ${record.messageId}`);
    };
    const response = await processPartialResponse(event as SQSEvent, recordHandler, processor, {
      context,
      // A batch that failed entirely is still answered record by record, so SQS retries each of them.
      throwOnFullBatchFailure: false,
    });
    await retryLater(failedRecords((event as SQSEvent).Records, response, retryDetails(input, outcomes)));
    if ([...outcomes.values()].some((outcome) => outcome.ok && outcome.sent)) await redriveWhenHealthy();
    return response;
  });
