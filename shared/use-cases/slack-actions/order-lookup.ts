import type { OrderKey, OrderRecord, TimelineEvent } from '../../domain/order-sync.js';
import { type OrderView, orderView, type StatusSummary } from '../../domain/order-view.js';
import { orderQueries } from '../../domain/person-requests.js';
import type { Clock, OrderNameIndex, OrderRepository, TimelineLinks } from '../../domain/ports.js';
import { stateLabel, statesIn, syncStates } from '../../domain/states.js';

export interface OrderLookupDeps {
  store: Pick<OrderRepository, 'getWithTimeline' | 'countByState' | 'listByState'>;
  names: OrderNameIndex;
  /** where a person looks: Shopify admin always, the signed timeline page when links are configured */
  links: { shopify: (key: OrderKey) => string; timeline?: TimelineLinks | undefined };
  clock: Clock;
}

/** The order as people read it, with its links (the HotWax one as the checker recorded it). */
export const viewOf = (
  deps: Pick<OrderLookupDeps, 'links' | 'clock'>,
  record: OrderRecord,
  timeline: readonly TimelineEvent[],
): OrderView => {
  const now = deps.clock.now();
  const key = { shop: record.shop, orderId: record.orderId };
  return orderView(
    record,
    timeline,
    {
      shopify: deps.links.shopify(key),
      ...(record.hotwax?.url ? { hotwax: record.hotwax.url } : {}),
      ...(deps.links.timeline ? { timeline: deps.links.timeline.url(key, now) } : {}),
    },
    now,
  );
};

/** One order (one shop) with its own timeline, or undefined when the monitor does not know it. */
export const readOrder = async (
  deps: Pick<OrderLookupDeps, 'links' | 'clock'> & { store: Pick<OrderRepository, 'getWithTimeline'> },
  key: OrderKey,
): Promise<{ record: OrderRecord; view: OrderView } | undefined> => {
  const { records, timeline } = await deps.store.getWithTimeline(key.orderId);
  const record = records.find((candidate) => candidate.shop === key.shop);
  if (!record) return undefined;
  return {
    record,
    view: viewOf(
      deps,
      record,
      timeline.filter((event) => event.shop === key.shop),
    ),
  };
};

/**
 * The orders a person means by `query` (`/ordersync 5000071396169`, `/ordersync #1003`, `/ordersync 1003`).
 *
 * 1. A Shopify id is read by key.
 * 2. Otherwise, or when no order has that id, the name is looked up in the by-name index ("#" added when left out).
 * Every shop holding the order answers (a deployment normally serves one).
 */
export const findOrders = async (deps: OrderLookupDeps, query: string): Promise<OrderView[]> => {
  const { ids, names } = orderQueries(query);
  const byId = async (orderId: string) => {
    const { records, timeline } = await deps.store.getWithTimeline(orderId);
    return records.map((record) =>
      viewOf(
        deps,
        record,
        timeline.filter((event) => event.shop === record.shop),
      ),
    );
  };
  for (const id of ids) {
    const found = await byId(id);
    if (found.length > 0) return found;
  }
  for (const name of names) {
    const keys = await deps.names.find(name);
    if (keys.length === 0) continue;
    const views = await Promise.all([...new Set(keys.map((key) => key.orderId))].map(byId));
    const wanted = new Set(keys.map((key) => `${key.shop}/${key.orderId}`));
    return views.flat().filter((view) => wanted.has(`${view.key.shop}/${view.key.orderId}`));
  }
  return [];
};

/** `/ordersync status`: every state's count, then the orders that need a person, longest waiting first. */
export const statusSummary = async (deps: OrderLookupDeps, listLimit = 15): Promise<StatusSummary> => {
  const counts = await Promise.all(
    syncStates.map(async (state) => ({
      state,
      label: stateLabel(state),
      count: await deps.store.countByState(state),
    })),
  );
  const waiting = (
    await Promise.all(statesIn('needsPerson').map((state) => deps.store.listByState(state, listLimit)))
  )
    .flat()
    .sort((a, b) => a.stateSince - b.stateSince);
  const total = counts
    .filter(({ state }) => statesIn('needsPerson').includes(state))
    .reduce((sum, { count }) => sum + count, 0);
  return {
    counts,
    needPerson: waiting.slice(0, listLimit).map((record) => ({
      key: { shop: record.shop, orderId: record.orderId },
      orderName: record.orderName,
      state: record.state,
      label: stateLabel(record.state),
      since: record.stateSince,
    })),
    moreNeedPerson: Math.max(0, total - Math.min(listLimit, waiting.length)),
  };
};
