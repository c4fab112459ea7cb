import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { parseDuration } from '../../shared/domain/sweep-window.js';
import { type SweepSummary, sweepOrders } from '../../shared/use-cases/sweep-orders/sweep-orders.js';
import { deps, logger, metrics, tracer } from './deps.js';

/** EventBridge Scheduler sends its own payload; an on-demand invoke may pass `{ "since": "2h" }`. */
const sweepEvent = z.object({ since: z.string().trim().min(1).optional() });

/** Scheduled every SWEEP_INTERVAL_SECONDS: orders whose webhooks never came, lost checks, missing subscriptions. */
export const handler = middy<unknown, SweepSummary>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event: unknown, context: Context): Promise<SweepSummary> => {
    const input = sweepEvent.parse(typeof event === 'object' && event !== null ? event : {});
    const now = Date.now();
    // The use case stops starting pages shortly before Lambda would stop it; the checkpoint keeps the rest.
    return sweepOrders(deps, {
      now,
      deadline: now + context.getRemainingTimeInMillis(),
      sinceMs: input.since === undefined ? undefined : parseDuration(input.since),
      // No time left: Lambda is about to stop us, or the local runtime is shutting down.
      shouldStop: () => context.getRemainingTimeInMillis() <= 0,
    });
  });
