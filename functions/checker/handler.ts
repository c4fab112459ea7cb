import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { checkOrders } from '../../shared/use-cases/check-orders.js';
import { deps, logger, metrics } from './deps.js';

const checkMessage = z.object({
  v: z.literal(1),
  shop: z.string().min(1),
  orderId: z.string().regex(/^\d+$/),
  reason: z.enum(['created', 'fulfilled', 'verify', 'recheck', 'sweep', 'manual']),
  dueAt: z.number(),
});

const processor = new BatchProcessor(EventType.SQS);

const parse = (body: string) => {
  try {
    return checkMessage.safeParse(JSON.parse(body));
  } catch {
    return { success: false as const };
  }
};

/** SQS check queue → the runbook for every due order; failed records are retried by SQS, then dead-lettered. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const parsed = event.Records.map((record) => ({
      record,
      message: parse(record.body),
    }));
    const valid = parsed.flatMap(({ record, message }) =>
      message.success ? [{ record, message: message.data }] : [],
    );
    const results = await checkOrders(
      deps,
      valid.map(({ message }) => message),
    );
    const errors = new Map<string, Error | undefined>(
      valid.map(({ record }, index) => [record.messageId, results[index]?.error]),
    );
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        // A malformed message can never succeed: failing it sends it to the DLQ, where its alarm shows it.
        if (!errors.has(record.messageId)) throw new Error(`malformed check message ${record.messageId}`);
        const error = errors.get(record.messageId);
        if (error) throw error;
      },
      processor,
      { context },
    );
  });
