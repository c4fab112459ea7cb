import type { OrderKey } from '../../domain/order-sync.js';
import { applyPersonAction, type PersonActionRequest } from '../../domain/person-actions.js';
import type {
  ActionReplies,
  ActionRequestStore,
  CheckQueue,
  OrderRepository,
  ReplyTarget,
  Telemetry,
} from '../../domain/ports.js';

export interface ActOnOrderDeps {
  store: Pick<OrderRepository, 'get' | 'save'>;
  queue: CheckQueue;
  replies: ActionReplies;
  requests: ActionRequestStore;
  telemetry: Telemetry;
}

export type ActOnOrderResult =
  | { outcome: 'applied' | 'duplicate' | 'unknown_order'; said: string }
  | { outcome: 'refused'; said: string };

/** Two people, or a person and the checker, writing at once: read again and re-apply a few times. */
const maxAttempts = 4;

/**
 * A person's action on one order, asked from Slack (Re-check now, Retry repair, Mute 24 h, Ignore).
 *
 * 1. Read the order; apply the action's rule (person-actions.ts): the same request again changes nothing.
 * 2. Save the record and the timeline event (with the Slack user id) in one version-conditional write; when someone
 *    else wrote first, read again and re-apply.
 * 3. Remember where the outcome goes (the clicked message, its thread, or the response_url of an ephemeral one).
 * 4. Re-check / Retry: queue the check now (no delay), marked with who asked; the checker runs the runbook and hands
 *    its outcome back. Mute / Ignore: their outcome is known, so the reply is queued at once.
 * A duplicate or a refusal is said to the person alone. Everything here is quick: Slack is answered within its 3 s.
 */
export const actOnOrder = async (
  deps: ActOnOrderDeps,
  input: { key: OrderKey; request: PersonActionRequest; target: ReplyTarget },
): Promise<ActOnOrderResult> => {
  const { key, request, target } = input;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const current = await deps.store.get(key);
    if (!current)
      return { outcome: 'unknown_order', said: `Order ${key.orderId} is not known to the monitor.` };
    const outcome = applyPersonAction(current, request);
    // Slack's retry of a delivery already applied: the person hears the outcome once, from the first.
    if (outcome.kind === 'duplicate' && current.byPerson?.last?.requestId === request.requestId) {
      return { outcome: 'duplicate', said: outcome.said };
    }
    if (outcome.kind !== 'applied') {
      await tellOnly(deps, { key, request, target }, outcome.said);
      return { outcome: outcome.kind, said: outcome.said };
    }
    const saved = await deps.store.save(outcome.record, {
      expectedVersion: current.version,
      events: [outcome.event],
      now: request.at,
    });
    if (saved.result !== 'saved') continue;
    await deps.requests.put({
      requestId: request.requestId,
      shop: key.shop,
      orderId: key.orderId,
      kind: request.kind,
      actor: request.actor,
      at: request.at,
      target,
    });
    const reply = { v: 1 as const, requestId: request.requestId, shop: key.shop, orderId: key.orderId };
    if (outcome.check) await deps.queue.schedule([outcome.check], request.at);
    else await deps.replies.send([reply]);
    deps.telemetry.info('Person action applied', {
      action: request.kind,
      actor: request.actor,
      shop: key.shop,
      orderId: key.orderId,
    });
    return { outcome: 'applied', said: outcome.event.message };
  }
  throw new Error(`order ${key.orderId} kept changing while ${request.kind} was applied`);
};

/** A word for the person alone (a duplicate, a refusal): kept with the request so the reply worker finds where. */
export const tellOnly = async (
  deps: Pick<ActOnOrderDeps, 'replies' | 'requests'>,
  input: {
    key: OrderKey;
    request: Pick<PersonActionRequest, 'requestId' | 'actor' | 'at'>;
    target: ReplyTarget;
  },
  notice: string,
): Promise<void> => {
  const requestId = `${input.request.requestId}:notice`;
  await deps.requests.put({
    requestId,
    shop: input.key.shop,
    orderId: input.key.orderId,
    kind: 'notice',
    actor: input.request.actor,
    at: input.request.at,
    target: input.target,
  });
  await deps.replies.send([{ v: 1, requestId, shop: input.key.shop, orderId: input.key.orderId, notice }]);
};
