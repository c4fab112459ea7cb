import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { parseDuration } from '../../shared/domain/sweep-window.js';
import type { SweepSummary } from '../../shared/use-cases/sweep-orders/sweep-orders.js';
import { type SweepShopsSummary, sweepShops } from '../../shared/use-cases/sweep-orders/sweep-shops.js';
import { logger, metrics, shops, telemetry, tracing } from './deps.js';

/** EventBridge Scheduler sends its own payload; an on-demand invoke may pass `{ "since": "2h" }`. */
const sweepEvent = z.object({
  since: z.string().trim().min(1).optional(),
  shop: z.string().trim().toLowerCase().min(1).optional(),
});

/**
 * Scheduled every SWEEP_INTERVAL_SECONDS: orders whose webhooks never came, lost checks, missing subscriptions, for
 * every shop (an on-demand invoke may pass `{ "shop": "acme-eu.myshopify.com" }` to sweep one).
 */
export const handler = middy<unknown, SweepShopsSummary | (SweepSummary & SweepShopsSummary)>()
  .use(tracing.middlewares())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event: unknown, context: Context) => {
    const input = sweepEvent.parse(typeof event === 'object' && event !== null ? event : {});
    const now = Date.now();
    // The use case stops starting pages shortly before Lambda would stop it; the checkpoint keeps the rest.
    const chosen = input.shop ? shops.filter((deps) => deps.settings.shop === input.shop) : shops;
    if (chosen.length === 0) throw new Error(`this monitor does not serve ${input.shop}`);
    const summary = await sweepShops(
      chosen,
      {
        now,
        deadline: now + context.getRemainingTimeInMillis(),
        sinceMs: input.since === undefined ? undefined : parseDuration(input.since),
        // No time left: Lambda is about to stop us, or the local runtime is shutting down.
        shouldStop: () => context.getRemainingTimeInMillis() <= 0,
      },
      telemetry,
    );
    // One shop: its own summary, as before several shops were served, besides the per-shop list.
    return shops.length === 1 && summary.shops[0] ? { ...summary.shops[0], ...summary } : summary;
  });
