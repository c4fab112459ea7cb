import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { isShopifyOrderId, shopifyOrderIdRule } from '../../shared/domain/shopify-order-id.js';
import {
  getOrderStatus,
  OrderNotFoundError,
} from '../../shared/use-cases/get-order-status/get-order-status.js';
import { deps, logger, tracing } from './deps.js';
import { timelineResponse } from './timeline.js';

const orderId = z.string().refine(isShopifyOrderId, { error: `shopifyOrderId ${shopifyOrderIdRule}` });

const json = (statusCode: number, body: unknown): APIGatewayProxyResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** GET /orders/{shopifyOrderId} — sync state and timeline; …/timeline?token= — the page; GET /health — liveness. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(tracing.middlewares())
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    if (event.rawPath === '/health') return json(200, { status: 'ok', service: 'order-sync-monitor' });
    const page = event.rawPath.endsWith('/timeline');
    const id = orderId.safeParse(
      event.pathParameters?.shopifyOrderId ?? event.rawPath.split('/').at(page ? -2 : -1),
    );
    if (!id.success) return json(400, { error: id.error.issues[0]?.message });
    try {
      if (page) {
        const token =
          event.queryStringParameters?.token ?? new URLSearchParams(event.rawQueryString).get('token');
        return await timelineResponse(deps, id.data, token ?? undefined);
      }
      return json(200, await getOrderStatus(deps.store, id.data, deps.shop));
    } catch (error) {
      if (error instanceof OrderNotFoundError) return json(404, { error: error.message });
      logger.error('Order status lookup failed', { error: error as Error });
      return json(500, { error: 'internal error' });
    }
  });
