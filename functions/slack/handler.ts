import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { parseSlackRequest, SlackPayloadError } from '../../shared/adapters/slack/interaction-payloads.js';
import { verifySlackRequest } from '../../shared/adapters/slack/request-signature.js';
import { toSlackResponse } from '../../shared/adapters/slack/slack-answers.js';
import { answerPerson } from '../../shared/use-cases/slack-actions/answer-person.js';
import { deps, logger, tracing } from './deps.js';

const refuse = (statusCode: number, body: string): APIGatewayProxyResultV2 => ({
  statusCode,
  headers: { 'content-type': 'text/plain' },
  body,
});

/**
 * POST /slack/actions (buttons, the Ignore modal) and POST /slack/commands (`/ordersync`): the signature is checked
 * on the raw bytes before anything is parsed, then the person is answered within Slack's 3 s; the work itself is
 * queued (a check, a reply) and its outcome posted later.
 */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(tracing.middlewares())
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    const verdict = verifySlackRequest({
      secret: deps.signingSecret,
      rawBody,
      headers: event.headers,
      now: Date.now(),
    });
    if (!verdict.authentic) {
      logger.warn('Slack request refused', { reason: verdict.reason });
      return refuse(401, 'invalid signature');
    }
    try {
      const route = event.rawPath.endsWith('/commands') ? 'commands' : 'actions';
      const answer = await answerPerson(deps, parseSlackRequest(route, rawBody));
      if (answer.kind === 'forbidden')
        logger.warn('Slack request from another workspace', { reason: answer.reason });
      return toSlackResponse(answer, deps.clock.now());
    } catch (error) {
      if (error instanceof SlackPayloadError) return refuse(400, error.message);
      logger.error('Slack request failed', { error: error as Error });
      return refuse(500, 'internal error');
    }
  });
