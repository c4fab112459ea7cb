import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metrics, notifications, tracer } from './deps.js';
import { parseNotifierEvent } from './events.js';

const processor = new BatchProcessor(EventType.SQS);

/**
 * Notify queue (SQS, body = Notification JSON) and CloudWatch alarms (SNS) → Slack. For SQS only the records that
 * failed are reported, so SQS redelivers just those; an SNS delivery that fails throws and Lambda retries it.
 */
export const handler = middy()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event: unknown, context: Context): Promise<SQSBatchResponse | undefined> => {
    const input = parseNotifierEvent(event);
    if (input.source === 'sns') {
      await notifications.sendAlarms(input.alarms);
      return undefined;
    }
    const outcomes = await notifications.sendBatch(input.deliveries);
    const recordHandler = async (record: SQSRecord) => {
      const invalid = input.invalid.get(record.messageId);
      if (invalid) throw invalid;
      const outcome = outcomes.get(record.messageId);
      if (!outcome?.ok) throw outcome?.error ?? new Error(`No outcome for record ${record.messageId}`);
    };
    return processPartialResponse(event as SQSEvent, recordHandler, processor, {
      context,
      // A batch that failed entirely is still answered record by record, so SQS retries each of them.
      throwOnFullBatchFailure: false,
    });
  });
