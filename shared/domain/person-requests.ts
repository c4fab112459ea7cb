import type { OrderKey } from './order-sync.js';
import type { PersonActionKind } from './person-actions.js';
import type { ReplyTarget } from './ports.js';

/**
 * What a person asks of the monitor from Slack, once the request is authentic and parsed: a button on an order's
 * message, the Ignore modal's reason, or the slash command. Actors and teams are Slack ids.
 */
export type PersonRequest =
  | {
      kind: 'button';
      teamId: string;
      actor: string;
      action: PersonActionKind;
      key: OrderKey;
      /** the same for a retried delivery of the click */
      requestId: string;
      /** lets the Ignore button open its modal (valid 3 s) */
      triggerId: string;
      target: ReplyTarget;
    }
  | {
      kind: 'ignore_submitted';
      teamId: string;
      actor: string;
      key: OrderKey;
      requestId: string;
      reason: string;
      target: ReplyTarget;
    }
  | { kind: 'command'; teamId: string; actor: string; text: string }
  | { kind: 'unsupported'; teamId: string; what: string };

/** `/ordersync …`: an order by its Shopify id or name, the summary, or help. */
export type CommandAsk = { kind: 'order'; query: string } | { kind: 'status' } | { kind: 'help' };

export const parseCommandText = (text: string): CommandAsk => {
  const query = text.trim();
  if (query === '' || query === 'help') return { kind: 'help' };
  if (query.toLowerCase() === 'status') return { kind: 'status' };
  return { kind: 'order', query };
};

/** Shopify ids are long digit runs; names are what the shop prints (`#1001`, `US-1001`). Both are tried. */
export const orderQueries = (query: string): { ids: string[]; names: string[] } => {
  const ids = /^\d{6,20}$/.test(query) ? [query] : [];
  const names = query.startsWith('#') ? [query] : [`#${query}`, query];
  return { ids, names: [...new Set(names)] };
};
