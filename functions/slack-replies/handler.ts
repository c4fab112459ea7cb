import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { postReplies } from '../../shared/use-cases/slack-actions/post-replies.js';
import { deps, logger, tracing } from './deps.js';
import { parseReplyRecords } from './events.js';

const processor = new BatchProcessor(EventType.SQS);

/** Slack reply queue → the outcome of what people asked, shown in place and in the thread; failures retried by SQS. */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(tracing.middlewares())
  .use(injectLambdaContext(logger))
  .handler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const outcomes = await postReplies(deps, parseReplyRecords(event.Records));
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const outcome = outcomes.get(record.messageId);
        if (!outcome) throw new Error(`malformed reply message ${record.messageId}`);
        if (!outcome.ok) throw outcome.error;
      },
      processor,
      { context, throwOnFullBatchFailure: false },
    );
  });
