import { createHmac } from 'node:crypto';
import type { EphemeralMessage, SimMessage, SimView, SlackSim } from './slack-sim.js';

/**
 * A person in the simulated workspace, as Slack delivers what they do to the app: button clicks (`block_actions`),
 * modal submissions (`view_submission`) and slash commands, form-encoded and signed with the app's signing secret
 * exactly as Slack signs (`v0=` HMAC-SHA256 of `v0:<timestamp>:<body>`). Every delivery can be bent for tests: an
 * old timestamp (a replay), another secret (a forgery), another team, Slack's retry header.
 */

export interface SendOptions {
  /** epoch seconds of X-Slack-Request-Timestamp; default now */
  timestamp?: number;
  /** sign with this instead of the app's secret (a forgery) */
  secret?: string;
  /** send this X-Slack-Signature as is */
  signature?: string;
  teamId?: string;
  userId?: string;
  /** X-Slack-Retry-Num: Slack's redelivery of the same payload */
  retryNum?: number;
}

export interface SlackDelivery {
  status: number;
  text: string;
  /** the answer's JSON, when it is JSON */
  json?: Record<string, unknown>;
  /** the body that was sent, to send the same delivery again */
  body: string;
}

type Button = { action_id: string; value: string };

const buttonsOf = (blocks: unknown[]): Button[] =>
  (blocks as Array<{ type?: string; elements?: Array<{ type?: string } & Button> }>)
    .filter((block) => block.type === 'actions')
    .flatMap((block) => block.elements ?? [])
    .filter((element) => element.type === 'button');

export const createSlackUser = (params: {
  sim: SlackSim;
  signingSecret: string;
  /** the app's interactivity request URL (…/slack/actions) */
  actionsUrl: string;
  /** the slash command's request URL (…/slack/commands) */
  commandsUrl: string;
  teamId?: string;
  userId?: string;
  channel?: string;
}) => {
  const teamId = params.teamId ?? 'T000';
  const userId = params.userId ?? 'U0PERSON';
  const channel = params.channel ?? 'C0NOTIFY';
  let clicks = 0;

  const sign = (secret: string, timestamp: number, body: string) =>
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;

  const send = async (url: string, body: string, options: SendOptions = {}): Promise<SlackDelivery> => {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature':
          options.signature ?? sign(options.secret ?? params.signingSecret, timestamp, body),
        ...(options.retryNum
          ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
          : {}),
      },
      body,
    });
    const text = await response.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, text, body, ...(json ? { json } : {}) };
  };

  const interaction = (payload: Record<string, unknown>, options: SendOptions) =>
    send(params.actionsUrl, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), options);

  return {
    teamId,
    userId,
    send,
    /** The same delivery again, as Slack retries it (X-Slack-Retry-Num), or replayed later with `timestamp`. */
    resend(delivery: SlackDelivery, url: string, options: SendOptions = {}) {
      return send(url, delivery.body, options);
    },

    /** `/ordersync <text>`; an ephemeral answer is kept in `sim.ephemerals` so its buttons can be clicked. */
    async slashCommand(
      text: string,
      options: SendOptions = {},
    ): Promise<SlackDelivery & { ephemeral?: EphemeralMessage }> {
      const ephemeral: EphemeralMessage = { responseUrl: '', text: '', blocks: [], updates: 0 };
      ephemeral.responseUrl = params.sim.issueResponseUrl({ kind: 'ephemeral', message: ephemeral });
      const body = new URLSearchParams({
        token: 'deprecated-verification-token',
        team_id: options.teamId ?? teamId,
        team_domain: 'sim-workspace',
        channel_id: channel,
        channel_name: 'order-sync',
        user_id: options.userId ?? userId,
        user_name: 'sim.person',
        command: '/ordersync',
        text,
        api_app_id: 'A0ORDERSYNC',
        response_url: ephemeral.responseUrl,
        trigger_id: params.sim.issueTrigger(),
      }).toString();
      const delivery = await send(params.commandsUrl, body, options);
      if (delivery.json && (delivery.json.blocks || delivery.json.text)) {
        ephemeral.text = String(delivery.json.text ?? '');
        ephemeral.blocks = Array.isArray(delivery.json.blocks) ? delivery.json.blocks : [];
        return { ...delivery, ephemeral };
      }
      return delivery;
    },

    /** The labels of a message's buttons, by action id. */
    buttons(message: { blocks: unknown[] }): string[] {
      return buttonsOf(message.blocks).map((button) => button.action_id);
    },

    /** Clicks a button (`ordersync:recheck`, …) on a channel message or an ephemeral answer. */
    async click(
      message: SimMessage | EphemeralMessage,
      actionId: string,
      options: SendOptions & { actionTs?: string } = {},
    ): Promise<SlackDelivery> {
      const button = buttonsOf(message.blocks).find((candidate) => candidate.action_id === actionId);
      if (!button) throw new Error(`no button ${actionId} on the message`);
      clicks += 1;
      const ephemeral = 'responseUrl' in message;
      const responseUrl = ephemeral
        ? message.responseUrl
        : params.sim.issueResponseUrl({ kind: 'message', channel: message.channel, ts: message.ts });
      const actionTs = options.actionTs ?? `${(Date.now() / 1000).toFixed(6)}${clicks}`;
      return interaction(
        {
          type: 'block_actions',
          team: { id: options.teamId ?? teamId, domain: 'sim-workspace' },
          user: { id: options.userId ?? userId, username: 'sim.person', team_id: options.teamId ?? teamId },
          api_app_id: 'A0ORDERSYNC',
          token: 'deprecated-verification-token',
          trigger_id: params.sim.issueTrigger(),
          response_url: responseUrl,
          container: ephemeral
            ? { type: 'message', message_ts: '', channel_id: channel, is_ephemeral: true }
            : {
                type: 'message',
                message_ts: message.ts,
                channel_id: message.channel,
                is_ephemeral: false,
                ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
              },
          channel: { id: ephemeral ? channel : message.channel, name: 'order-sync' },
          ...(ephemeral ? {} : { message: { ts: message.ts, text: message.text, blocks: message.blocks } }),
          actions: [
            {
              type: 'button',
              action_id: button.action_id,
              block_id: 'ordersync-actions',
              value: button.value,
              action_ts: actionTs,
            },
          ],
        },
        options,
      );
    },

    /** Submits a modal opened with views.open, with `reason` typed in its input. */
    submitModal(view: SimView, reason: string, options: SendOptions = {}): Promise<SlackDelivery> {
      const blocks = (view.view.blocks ?? []) as Array<{
        type?: string;
        block_id?: string;
        element?: { action_id?: string };
      }>;
      const input = blocks.find((block) => block.type === 'input');
      return interaction(
        {
          type: 'view_submission',
          team: { id: options.teamId ?? teamId, domain: 'sim-workspace' },
          user: { id: options.userId ?? userId, username: 'sim.person', team_id: options.teamId ?? teamId },
          api_app_id: 'A0ORDERSYNC',
          trigger_id: params.sim.issueTrigger(),
          view: {
            ...view.view,
            id: view.id,
            hash: `${view.id}-hash`,
            state: {
              values: input?.block_id
                ? {
                    [input.block_id]: {
                      [input.element?.action_id ?? 'reason']: { type: 'plain_text_input', value: reason },
                    },
                  }
                : {},
            },
          },
        },
        options,
      );
    },
  };
};

export type SlackUser = ReturnType<typeof createSlackUser>;
