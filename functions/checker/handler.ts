import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { checkOrders } from '../../shared/use-cases/check-orders/check-orders.js';
import { reportRequestedChecks } from '../../shared/use-cases/slack-actions/report-requested-checks.js';
import { deps, logger, metrics, replies, tracer } from './deps.js';
import { parseCheckRecords } from './events.js';

const processor = new BatchProcessor(EventType.SQS);

/** SQS check queue → the runbook for every due order; failed records are retried by SQS, then dead-lettered. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const valid = parseCheckRecords(event.Records);
    // One batch, one HotWax lookup: the use case sees all due checks together.
    const messages = valid.map(({ message }) => message);
    const results = await checkOrders(deps, messages);
    if (replies) await reportRequestedChecks({ replies, telemetry: deps.telemetry }, messages, results);
    const errors = new Map(valid.map(({ messageId }, index) => [messageId, results[index]?.error]));
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        if (!errors.has(record.messageId)) throw new Error(`malformed check message ${record.messageId}`);
        const error = errors.get(record.messageId);
        if (error) throw error;
      },
      processor,
      { context },
    );
  });
