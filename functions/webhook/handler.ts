import middy from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { ingestWebhook } from '../../shared/use-cases/ingest-webhook/ingest-webhook.js';
import { deps, observability } from './deps.js';

const httpEvent = z.object({
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().default(''),
  isBase64Encoded: z.boolean().default(false),
});

const json = (statusCode: number, body: Record<string, unknown>): APIGatewayProxyResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** POST /webhooks/shopify — verify, record, schedule the check. */
export const handler = middy<unknown, APIGatewayProxyResultV2>()
  .use(observability.middleware())
  .handler(async (rawEvent: unknown): Promise<APIGatewayProxyResultV2> => {
    const event = httpEvent.parse(rawEvent);
    const headers = Object.fromEntries(
      Object.entries(event.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const rawBody = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
    try {
      const result = await ingestWebhook(deps, { headers, rawBody });
      return json(result.statusCode, {
        status: result.status,
        ...(result.message ? { message: result.message } : {}),
      });
    } catch (error) {
      // 5xx makes Shopify retry; the reason stays in our logs, not in the answer.
      observability.telemetry.error('Webhook not recorded; Shopify will retry', { error });
      return json(503, { status: 'retry', message: 'temporarily unable to record the webhook' });
    }
  });
