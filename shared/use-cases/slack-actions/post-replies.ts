import type { TimelineEvent } from '../../domain/order-sync.js';
import type {
  ActionReply,
  ActionRequestStore,
  OrderRepository,
  SlackResponder,
  Telemetry,
} from '../../domain/ports.js';
import { type OrderLookupDeps, readOrder } from './order-lookup.js';

export interface PostRepliesDeps extends Omit<OrderLookupDeps, 'store' | 'names'> {
  store: Pick<OrderRepository, 'getWithTimeline'>;
  requests: ActionRequestStore;
  responder: Pick<SlackResponder, 'showOutcome' | 'tell'>;
  telemetry: Telemetry;
}

export interface ReplyDelivery {
  id: string;
  reply: ActionReply;
}

export type ReplyOutcome = { ok: true; posted: boolean } | { ok: false; error: Error };

/** What came of the request: the runbook's word after it (a check a person asked for), else the action's own. */
const outcomeOf = (timeline: readonly TimelineEvent[], askedAt: number): string | undefined => {
  const since = timeline.filter((event) => event.at >= askedAt);
  return (since.filter((event) => !event.type.startsWith('person.')).at(-1) ?? since.at(-1))?.message;
};

/**
 * Shows people the outcome of what they asked from Slack (the reply queue's worker).
 *
 * 1. Find where the request said to answer; a request already answered shows nothing again (SQS redelivers).
 * 2. A notice (a duplicate, a refusal): to the person alone.
 * 3. Otherwise read the order as it is now and replace the clicked message with it, buttons as the new state
 *    allows, then say in the message's thread who asked and what came of it.
 * Each reply succeeds or fails alone, so SQS retries only the ones Slack did not take.
 */
export const postReplies = async (
  deps: PostRepliesDeps,
  deliveries: readonly ReplyDelivery[],
): Promise<Map<string, ReplyOutcome>> => {
  const outcomes = new Map<string, ReplyOutcome>();
  for (const { id, reply } of deliveries) {
    try {
      const request = await deps.requests.get(reply.requestId);
      if (!request || request.repliedAt !== undefined) {
        outcomes.set(id, { ok: true, posted: false });
        continue;
      }
      if (reply.notice !== undefined) {
        await deps.responder.tell(request.target, reply.notice);
      } else {
        const found = await readOrder(deps, { shop: reply.shop, orderId: reply.orderId });
        if (!found) {
          await deps.responder.tell(
            request.target,
            `Order ${reply.orderId} is no longer known to the monitor.`,
          );
        } else {
          const said = outcomeOf(found.view.timeline, request.at) ?? found.view.stateLabel;
          await deps.responder.showOutcome(request.target, found.view, { actor: request.actor, said });
        }
      }
      await deps.requests.markReplied(reply.requestId, deps.clock.now());
      outcomes.set(id, { ok: true, posted: true });
    } catch (error) {
      deps.telemetry.warn('Slack reply not posted; the record will be retried', {
        id,
        error: (error as Error).message,
      });
      outcomes.set(id, { ok: false, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  return outcomes;
};
