import type { OrderView, StatusSummary } from '../../domain/order-view.js';
import { actionLabels, restrictedActions } from '../../domain/person-actions.js';
import { type PersonRequest, parseCommandText } from '../../domain/person-requests.js';
import type { ActorPolicy, Clock, OrderRepository, SlackResponder } from '../../domain/ports.js';
import { type ActOnOrderDeps, actOnOrder, tellOnly } from './act-on-order.js';
import { findOrders, type OrderLookupDeps, statusSummary } from './order-lookup.js';

export interface AnswerPersonDeps extends Omit<ActOnOrderDeps, 'store'>, Omit<OrderLookupDeps, 'store'> {
  store: Pick<OrderRepository, 'get' | 'save' | 'getWithTimeline' | 'countByState' | 'listByState'>;
  policy: ActorPolicy;
  responder: Pick<SlackResponder, 'openIgnoreModal'>;
  clock: Clock;
  /** SLACK_TEAM_ID: the one workspace whose requests are answered */
  teamId?: string | undefined;
}

/** What Slack is answered within its 3 s; the Slack adapter renders it. */
export type Answer =
  | { kind: 'ack' }
  | { kind: 'forbidden'; reason: string }
  | { kind: 'orders'; query: string; views: OrderView[] }
  | { kind: 'status'; summary: StatusSummary }
  | { kind: 'help' }
  /** the Ignore modal stays open with this said under the reason */
  | { kind: 'modal_error'; error: string };

const notAllowed = (label: string) =>
  `${label} is kept to the people this deployment names (SLACK_ALLOWED_ACTORS); ask one of them.`;

/**
 * Answers an authentic request from Slack: a button, the Ignore modal, or `/ordersync`.
 *
 * 1. Refuse another workspace (SLACK_TEAM_ID).
 * 2. Buttons: Retry repair and Ignore only for the people SLACK_ALLOWED_ACTORS names (when it is set). Ignore opens
 *    the modal that asks why; the others act on the order at once (act-on-order).
 * 3. The modal's reason: the same check of who may, then Ignore with the reason; a refusal keeps the modal open.
 * 4. `/ordersync <order name or id>`: the order's state, cause and fix, its last events and the same buttons, to the
 *    caller only; `/ordersync status`: the counts by state and the orders that need a person.
 */
export const answerPerson = async (deps: AnswerPersonDeps, request: PersonRequest): Promise<Answer> => {
  if (deps.teamId && request.teamId !== deps.teamId) {
    return { kind: 'forbidden', reason: `workspace ${request.teamId} is not this deployment's` };
  }
  const at = deps.clock.now();
  switch (request.kind) {
    case 'unsupported':
      deps.telemetry.info('Slack request not handled', { what: request.what });
      return { kind: 'ack' };
    case 'command': {
      const ask = parseCommandText(request.text);
      if (ask.kind === 'help') return { kind: 'help' };
      if (ask.kind === 'status') return { kind: 'status', summary: await statusSummary(deps) };
      return { kind: 'orders', query: ask.query, views: await findOrders(deps, ask.query) };
    }
    case 'button': {
      const { key, target, actor, action, requestId } = request;
      const person = { requestId, actor, at };
      if (restrictedActions.has(action) && !(await deps.policy.mayTake(actor, action))) {
        await tellOnly(deps, { key, request: person, target }, notAllowed(actionLabels[action]));
        return { kind: 'ack' };
      }
      if (action === 'ignore') {
        const record = await deps.store.get(key);
        if (!record) {
          await tellOnly(
            deps,
            { key, request: person, target },
            `Order ${key.orderId} is not known to the monitor.`,
          );
        } else if (record.state === 'ignored') {
          await tellOnly(deps, { key, request: person, target }, 'The order is already ignored.');
        } else {
          // Without a bot token, or past Slack's 3 s, the modal cannot open: the person hears why instead of an error.
          await deps.responder
            .openIgnoreModal(request.triggerId, { key, orderName: record.orderName }, target)
            .catch(async (error: unknown) => {
              deps.telemetry.warn('Ignore modal not opened', { error: (error as Error).message });
              await tellOnly(
                deps,
                { key, request: person, target },
                `The Ignore dialog could not open (${(error as Error).message}); try again, or check SLACK_BOT_TOKEN in the Slack secret.`,
              );
            });
        }
        return { kind: 'ack' };
      }
      await actOnOrder(deps, { key, request: { kind: action, actor, requestId, at }, target });
      return { kind: 'ack' };
    }
    case 'ignore_submitted': {
      const { key, target, actor, requestId, reason } = request;
      if (!(await deps.policy.mayTake(actor, 'ignore'))) {
        return { kind: 'modal_error', error: notAllowed(actionLabels.ignore) };
      }
      if (reason.trim() === '')
        return { kind: 'modal_error', error: 'Say in one line why the order is ignored.' };
      const result = await actOnOrder(deps, {
        key,
        request: { kind: 'ignore', actor, requestId, at, reason },
        target,
      });
      return result.outcome === 'refused' ? { kind: 'modal_error', error: result.said } : { kind: 'ack' };
    }
  }
};
