import type { OrderKey } from '../../domain/order-sync.js';
import { actionLabels, type PersonActionKind } from '../../domain/person-actions.js';
import { actionIdPrefix, buttonValue } from './interaction-payloads.js';

/** A Block Kit button (the subset the monitor uses). */
export interface SlackButton {
  type: 'button';
  action_id: string;
  text: { type: 'plain_text'; text: string; emoji?: boolean };
  value: string;
  style?: 'primary' | 'danger';
  confirm?: {
    title: { type: 'plain_text'; text: string };
    text: { type: 'mrkdwn'; text: string };
    confirm: { type: 'plain_text'; text: string };
    deny: { type: 'plain_text'; text: string };
  };
}

export interface ActionsBlock {
  type: 'actions';
  block_id: string;
  elements: SlackButton[];
}

const styles: Partial<Record<PersonActionKind, SlackButton['style']>> = {
  recheck: 'primary',
  ignore: 'danger',
};

/** The order's buttons: each carries the order, Slack echoes it back on the click. */
export const actionButtons = (
  key: OrderKey,
  actions: readonly PersonActionKind[],
): ActionsBlock | undefined => {
  if (actions.length === 0) return undefined;
  return {
    type: 'actions',
    block_id: 'ordersync-actions',
    elements: actions.map((kind) => ({
      type: 'button',
      action_id: `${actionIdPrefix}${kind}`,
      text: { type: 'plain_text', text: actionLabels[kind] },
      value: buttonValue(key),
      ...(styles[kind] ? { style: styles[kind] } : {}),
      ...(kind === 'retry_repair'
        ? {
            confirm: {
              title: { type: 'plain_text', text: 'Retry repair?' },
              text: {
                type: 'mrkdwn',
                text: 'The repair count goes back to 0 and the monitor repairs the order again, up to its limit.',
              },
              confirm: { type: 'plain_text', text: 'Retry' },
              deny: { type: 'plain_text', text: 'Cancel' },
            },
          }
        : {}),
    })),
  };
};
