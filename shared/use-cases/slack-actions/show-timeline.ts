import type { OrderKey } from '../../domain/order-sync.js';
import type { OrderView } from '../../domain/order-view.js';
import type { Clock, OrderRepository, TimelineLinks } from '../../domain/ports.js';
import { readOrder } from './order-lookup.js';

export interface ShowTimelineDeps {
  store: Pick<OrderRepository, 'getWithTimeline'>;
  /** absent when the deployment has no link key: every link is refused */
  timelineLinks?: TimelineLinks | undefined;
  shopifyUrl: (key: OrderKey) => string;
  clock: Clock;
}

export type TimelinePage =
  | { kind: 'order'; view: OrderView; expiresAt: number }
  | { kind: 'refused'; reason: 'expired' | 'forged' | 'malformed' | 'unknown_order' | 'not_configured' };

/**
 * The order's timeline page, opened from Slack by a signed link (no AWS credentials in a browser).
 *
 * 1. The token must be signed with the deployment's key for this order and shop, and not expired; otherwise the
 *    page shows nothing of the order.
 * 2. Read the record and its timeline; the page shows the state, the timeline, the finding and the links.
 */
export const showTimeline = async (
  deps: ShowTimelineDeps,
  orderId: string,
  token: string,
): Promise<TimelinePage> => {
  if (!deps.timelineLinks) return { kind: 'refused', reason: 'not_configured' };
  const verdict = deps.timelineLinks.verify(token, orderId, deps.clock.now());
  if (!verdict.valid) return { kind: 'refused', reason: verdict.reason };
  const found = await readOrder(
    { store: deps.store, clock: deps.clock, links: { shopify: deps.shopifyUrl } },
    { shop: verdict.shop, orderId },
  );
  if (!found) return { kind: 'refused', reason: 'unknown_order' };
  return { kind: 'order', view: found.view, expiresAt: verdict.expiresAt };
};
