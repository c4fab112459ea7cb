import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import {
  pageHeaders,
  renderRefusalPage,
  renderTimelinePage,
} from '../../shared/adapters/web/timeline-page.js';
import type { ShowTimelineDeps } from '../../shared/use-cases/slack-actions/show-timeline.js';
import { showTimeline } from '../../shared/use-cases/slack-actions/show-timeline.js';

/** GET /orders/{shopifyOrderId}/timeline?token=…: the page, or a 403 refusal that shows nothing of the order. */
export const timelineResponse = async (
  deps: ShowTimelineDeps,
  orderId: string,
  token: string | undefined,
): Promise<APIGatewayProxyResultV2> => {
  const page = await showTimeline(deps, orderId, token ?? '');
  if (page.kind === 'refused') {
    return { statusCode: 403, headers: pageHeaders, body: renderRefusalPage(page.reason) };
  }
  return {
    statusCode: 200,
    headers: pageHeaders,
    body: renderTimelinePage(page.view, { now: deps.clock.now(), expiresAt: page.expiresAt }),
  };
};
