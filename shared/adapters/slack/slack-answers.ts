import type { OrderView, StatusSummary } from '../../domain/order-view.js';
import { reasonBlockId } from './interaction-payloads.js';
import { helpAnswer, ordersAnswer, statusAnswer } from './order-card.js';

/** What the actions answer Slack within its 3 s (mirrors the use case's `Answer`). */
export type SlackAnswer =
  | { kind: 'ack' }
  | { kind: 'forbidden'; reason: string }
  | { kind: 'orders'; query: string; views: OrderView[] }
  | { kind: 'status'; summary: StatusSummary }
  | { kind: 'help' }
  | { kind: 'modal_error'; error: string };

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const json = (body: unknown): HttpAnswer => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * The HTTP answer Slack reads: an empty 200 acknowledges a click or closes the modal; a slash command is answered
 * in the response itself, ephemeral (to the caller only); a modal error keeps the modal open under its input.
 */
export const toSlackResponse = (answer: SlackAnswer, now: number): HttpAnswer => {
  switch (answer.kind) {
    case 'ack':
      return { statusCode: 200, headers: {}, body: '' };
    case 'forbidden':
      return { statusCode: 403, headers: { 'content-type': 'text/plain' }, body: 'forbidden' };
    case 'orders':
      return json({ response_type: 'ephemeral', ...ordersAnswer(answer.query, answer.views, now) });
    case 'status':
      return json({ response_type: 'ephemeral', ...statusAnswer(answer.summary, now) });
    case 'help':
      return json({ response_type: 'ephemeral', ...helpAnswer() });
    case 'modal_error':
      return json({ response_action: 'errors', errors: { [reasonBlockId]: answer.error } });
  }
};
