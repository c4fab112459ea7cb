import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { failedRecords } from '../../shared/adapters/sqs/retry-later.js';
import { checkOrders } from '../../shared/use-cases/check-orders/check-orders.js';
import { reportRequestedChecks } from '../../shared/use-cases/slack-actions/report-requested-checks.js';
import { deps, logger, metrics, replies, tracing } from './deps.js';
import { parseCheckRecords } from './events.js';

const processor = new BatchProcessor(EventType.SQS);

/**
 * SQS check queue → the runbook for every due order. Failed records come back on the retry schedule, then go to
 * the DLQ; a batch in which HotWax answered moves dead-lettered checks back.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(tracing.middlewares())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const valid = parseCheckRecords(event.Records);
    // One batch, one HotWax lookup: the use case sees all due checks together.
    // Should the batch fail as a whole, each check fails alone, so the retry schedule still applies to it.
    const messages = valid.map(({ message }) => message);
    const results = await checkOrders(deps, messages).catch((error: unknown) =>
      valid.map(() => ({ outcome: 'failed' as const, error: error as Error })),
    );
    if (replies) await reportRequestedChecks({ replies, telemetry: deps.telemetry }, messages, results);
    const errors = new Map(valid.map(({ messageId }, index) => [messageId, results[index]?.error]));
    const response = await processPartialResponse(
      event,
      async (record: SQSRecord) => {
        if (!errors.has(record.messageId)) throw new Error(`malformed check message ${record.messageId}`);
        const error = errors.get(record.messageId);
        if (error) throw error;
      },
      processor,
      { context, throwOnFullBatchFailure: false },
    );
    // A malformed message never succeeds: it goes to the DLQ without waiting out the schedule.
    await deps.retryLater(
      failedRecords(event.Records, response, (r) => ({ permanent: !errors.has(r.messageId) })),
    );
    if (results.some(({ outcome }) => outcome === 'checked')) await deps.redriveWhenHealthy();
    return response;
  });
