import * as z from 'zod';
import { type PersonActionKind, personActionKinds } from '../../domain/person-actions.js';
import type { PersonRequest } from '../../domain/person-requests.js';
import type { ReplyTarget } from '../../domain/ports.js';

/**
 * Slack's interactivity payloads (`block_actions`, `view_submission`; form field `payload`, JSON) and slash commands
 * (form fields), parsed with zod into what a person asked. Only called on a request whose signature was verified.
 */

export class SlackPayloadError extends Error {
  override name = 'SlackPayloadError';
}

/** Every button's action_id: `ordersync:<action>`; its value names the order. */
export const actionIdPrefix = 'ordersync:';
export const ignoreModalCallbackId = 'ordersync:ignore';
export const reasonBlockId = 'reason';
export const reasonActionId = 'reason';

const orderRef = z.object({
  shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/),
  orderId: z.string().regex(/^\d{1,20}$/),
});
export type OrderRef = z.infer<typeof orderRef>;

/** What the buttons carry (Slack echoes it back on the click). */
export const buttonValue = (ref: OrderRef): string =>
  JSON.stringify({ shop: ref.shop, orderId: ref.orderId });

/** What the Ignore modal carries from the click to the submission. */
const modalMetadata = orderRef.extend({
  channel: z.string().optional(),
  messageTs: z.string().optional(),
  threadTs: z.string().optional(),
  responseUrl: z.string().optional(),
});
export const modalMetadataOf = (ref: OrderRef, target: ReplyTarget): string =>
  JSON.stringify({ shop: ref.shop, orderId: ref.orderId, ...target });

const team = z.object({ id: z.string().min(1) });
const user = z.object({ id: z.string().min(1) });

const blockActions = z.object({
  type: z.literal('block_actions'),
  team,
  user,
  trigger_id: z.string().default(''),
  response_url: z.string().optional(),
  container: z
    .object({
      message_ts: z.string().optional(),
      channel_id: z.string().optional(),
      thread_ts: z.string().optional(),
      is_ephemeral: z.boolean().optional(),
    })
    .default({}),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string(), thread_ts: z.string().optional() }).optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string(),
        value: z.string().optional(),
        action_ts: z.string().default(''),
      }),
    )
    .min(1),
});

const viewSubmission = z.object({
  type: z.literal('view_submission'),
  team,
  user,
  view: z.object({
    id: z.string().min(1),
    callback_id: z.string(),
    private_metadata: z.string().default(''),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }))),
    }),
  }),
});

const anyInteraction = z.object({ type: z.string(), team: team.optional() });

const slashCommand = z.object({
  command: z.string().min(1),
  text: z.string().default(''),
  team_id: z.string().min(1),
  user_id: z.string().min(1),
});

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SlackPayloadError('the payload is not JSON', { cause: error });
  }
};

const actionOf = (actionId: string): PersonActionKind | undefined => {
  const name = actionId.startsWith(actionIdPrefix) ? actionId.slice(actionIdPrefix.length) : '';
  return (personActionKinds as readonly string[]).includes(name) ? (name as PersonActionKind) : undefined;
};

const parseInteraction = (payload: unknown): PersonRequest => {
  const base = anyInteraction.safeParse(payload);
  if (!base.success) throw new SlackPayloadError('not a Slack interaction payload');
  const teamId = base.data.team?.id ?? '';
  if (base.data.type === 'block_actions') {
    const parsed = blockActions.safeParse(payload);
    if (!parsed.success) throw new SlackPayloadError('malformed block_actions payload');
    const { data } = parsed;
    const [clicked] = data.actions as [(typeof data.actions)[number]];
    const action = actionOf(clicked.action_id);
    const ref = orderRef.safeParse(parseJson(clicked.value ?? 'null'));
    if (!action || !ref.success) return { kind: 'unsupported', teamId, what: `action ${clicked.action_id}` };
    const channel = data.container.channel_id ?? data.channel?.id;
    const messageTs = data.container.message_ts ?? data.message?.ts;
    const ephemeral = data.container.is_ephemeral === true;
    const threadTs = data.container.thread_ts ?? data.message?.thread_ts;
    const target: ReplyTarget = {
      ...(!ephemeral && channel ? { channel } : {}),
      ...(!ephemeral && messageTs ? { messageTs } : {}),
      ...(!ephemeral && (threadTs ?? messageTs) ? { threadTs: threadTs ?? messageTs } : {}),
      ...(data.response_url ? { responseUrl: data.response_url } : {}),
    };
    return {
      kind: 'button',
      teamId,
      actor: data.user.id,
      action,
      key: ref.data,
      // A retried delivery repeats the click's action_ts; a second click has its own.
      requestId: `click:${data.user.id}:${clicked.action_ts || messageTs || data.trigger_id}`,
      triggerId: data.trigger_id,
      target,
    };
  }
  if (base.data.type === 'view_submission') {
    const parsed = viewSubmission.safeParse(payload);
    if (!parsed.success) throw new SlackPayloadError('malformed view_submission payload');
    const { view } = parsed.data;
    if (view.callback_id !== ignoreModalCallbackId) {
      return { kind: 'unsupported', teamId, what: `view ${view.callback_id}` };
    }
    const metadata = modalMetadata.safeParse(parseJson(view.private_metadata || 'null'));
    if (!metadata.success) throw new SlackPayloadError('the modal lost its order');
    const { shop, orderId, ...target } = metadata.data;
    return {
      kind: 'ignore_submitted',
      teamId,
      actor: parsed.data.user.id,
      key: { shop, orderId },
      requestId: `view:${view.id}`,
      reason: view.state.values[reasonBlockId]?.[reasonActionId]?.value ?? '',
      target: Object.fromEntries(Object.entries(target).filter(([, value]) => value)) as ReplyTarget,
    };
  }
  return { kind: 'unsupported', teamId, what: base.data.type };
};

/**
 * The request of an authentic delivery: `POST /slack/actions` (interactivity) or `POST /slack/commands`. Slack sends
 * both form-encoded; interactivity wraps its JSON in the `payload` field.
 */
export const parseSlackRequest = (route: 'actions' | 'commands', rawBody: Uint8Array): PersonRequest => {
  const form = new URLSearchParams(Buffer.from(rawBody).toString('utf8'));
  if (route === 'actions') {
    const payload = form.get('payload');
    if (payload === null) throw new SlackPayloadError('no payload field');
    return parseInteraction(parseJson(payload));
  }
  const command = slashCommand.safeParse(Object.fromEntries(form));
  if (!command.success) throw new SlackPayloadError('malformed slash command');
  return {
    kind: 'command',
    teamId: command.data.team_id,
    actor: command.data.user_id,
    text: command.data.text,
  };
};
