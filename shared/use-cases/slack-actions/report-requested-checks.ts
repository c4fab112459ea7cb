import type { CheckMessage } from '../../domain/order-sync.js';
import type { ActionReplies, ActionReply, Telemetry } from '../../domain/ports.js';
import type { CheckResult } from '../check-orders/check-orders.js';

/**
 * After a batch of checks: the person who asked for one of them (Re-check now, Retry repair) is told its outcome.
 * A check that failed is retried by SQS and reported when it runs. Telling is best effort: the check itself
 * succeeded, and failing its record would run the runbook again.
 */
export const reportRequestedChecks = async (
  deps: { replies: ActionReplies; telemetry: Telemetry },
  messages: readonly CheckMessage[],
  results: readonly CheckResult[],
): Promise<void> => {
  const replies = new Map<string, ActionReply>();
  messages.forEach((message, index) => {
    const requested = message.requestedBy;
    if (!requested || results[index]?.outcome === 'failed') return;
    replies.set(requested.requestId, {
      v: 1,
      requestId: requested.requestId,
      shop: message.shop,
      orderId: message.orderId,
    });
  });
  if (replies.size === 0) return;
  await deps.replies.send([...replies.values()]).catch((error: unknown) =>
    deps.telemetry.error('Could not queue the outcome of checks people asked for', {
      error: String(error),
      requests: [...replies.keys()],
    }),
  );
};
