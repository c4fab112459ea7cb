import { describe, expect, it } from 'vitest';
import { buildNotificationMessage } from '../../shared/adapters/slack/block-kit.js';
import {
  buttonValue,
  parseSlackRequest,
  SlackPayloadError,
} from '../../shared/adapters/slack/interaction-payloads.js';
import { ignoreModal } from '../../shared/adapters/slack/order-card.js';
import type { Notification } from '../../shared/domain/ports.js';

const order = { shop: 'acme.myshopify.com', orderId: '5000000000001' };
const form = (fields: Record<string, string>) => Buffer.from(new URLSearchParams(fields).toString());
const interaction = (payload: unknown) => form({ payload: JSON.stringify(payload) });

const click = (overrides: Record<string, unknown> = {}) => ({
  type: 'block_actions',
  team: { id: 'T000' },
  user: { id: 'U0PERSON', name: 'would be PII: never read' },
  trigger_id: '1.2.abc',
  response_url: 'https://hooks.slack.com/actions/T000/1/x',
  container: { type: 'message', message_ts: '1714.0001', channel_id: 'C0NOTIFY', is_ephemeral: false },
  actions: [{ action_id: 'ordersync:recheck', value: buttonValue(order), action_ts: '1714.9' }],
  ...overrides,
});

describe("Slack's payloads, once authentic", () => {
  it('reads a button click: who, which action, which order, where to answer', () => {
    expect(parseSlackRequest('actions', interaction(click()))).toEqual({
      kind: 'button',
      teamId: 'T000',
      actor: 'U0PERSON',
      action: 'recheck',
      key: order,
      requestId: 'click:U0PERSON:1714.9',
      triggerId: '1.2.abc',
      target: {
        channel: 'C0NOTIFY',
        messageTs: '1714.0001',
        threadTs: '1714.0001',
        responseUrl: 'https://hooks.slack.com/actions/T000/1/x',
      },
    });
  });

  it('answers a click on an ephemeral message only through its response_url', () => {
    const parsed = parseSlackRequest(
      'actions',
      interaction(
        click({ container: { type: 'message', message_ts: '', channel_id: 'C0', is_ephemeral: true } }),
      ),
    );
    expect(parsed).toMatchObject({ kind: 'button', target: { responseUrl: expect.any(String) } });
    expect(parsed.kind === 'button' && parsed.target.channel).toBeFalsy();
  });

  it('reads the Ignore modal: the order and where to answer come back in its metadata, the reason from its input', () => {
    const view = ignoreModal(
      { key: order, orderName: '#1001' },
      { channel: 'C0NOTIFY', messageTs: '1714.0001' },
    );
    const parsed = parseSlackRequest(
      'actions',
      interaction({
        type: 'view_submission',
        team: { id: 'T000' },
        user: { id: 'U0PERSON' },
        view: { ...view, id: 'V0001', state: { values: { reason: { reason: { value: 'duplicate' } } } } },
      }),
    );
    expect(parsed).toEqual({
      kind: 'ignore_submitted',
      teamId: 'T000',
      actor: 'U0PERSON',
      key: order,
      requestId: 'view:V0001',
      reason: 'duplicate',
      target: { channel: 'C0NOTIFY', messageTs: '1714.0001' },
    });
  });

  it('reads a slash command', () => {
    expect(
      parseSlackRequest(
        'commands',
        form({ command: '/ordersync', text: '#1001', team_id: 'T000', user_id: 'U1' }),
      ),
    ).toEqual({ kind: 'command', teamId: 'T000', actor: 'U1', text: '#1001' });
  });

  it.each([
    ['an unknown button', click({ actions: [{ action_id: 'other:thing', value: '{}' }] })],
    [
      'a button naming no valid order',
      click({ actions: [{ action_id: 'ordersync:mute', value: '{"shop":"x","orderId":"1"}' }] }),
    ],
    ['another interaction type', { type: 'shortcut', team: { id: 'T000' } }],
  ])('leaves %s unhandled', (_name, payload) => {
    expect(parseSlackRequest('actions', interaction(payload)).kind).toBe('unsupported');
  });

  it.each([
    ['no payload', form({ nothing: 'here' })],
    ['a payload that is not JSON', form({ payload: '{not json' })],
    [
      'a malformed click',
      interaction({ type: 'block_actions', team: { id: 'T' }, user: { id: 'U' }, actions: [] }),
    ],
  ])('refuses %s', (_name, body) => {
    expect(() => parseSlackRequest('actions', body)).toThrow(SlackPayloadError);
  });
});

describe('the buttons on an alert', () => {
  const alert = (kind: Notification['kind'], state: string): Notification => ({
    kind,
    shop: order.shop,
    title: 'Order #1001 cannot reach HotWax',
    at: 0,
    order: {
      orderId: order.orderId,
      orderName: '#1001',
      channel: 'web',
      state,
      outOfSyncSince: 0,
      shopifyUrl: 'https://admin.shopify.com/store/acme/orders/5000000000001',
    },
  });
  const buttons = (message: ReturnType<typeof buildNotificationMessage>) =>
    message.blocks.flatMap((block) =>
      block.type === 'actions' ? block.elements.map((button) => button.action_id) : [],
    );

  it('carries the buttons the state allows on every needs-a-person and escalated message, and the timeline link', () => {
    const escalated = buildNotificationMessage(alert('escalated', 'escalated'), 0, {
      actions: true,
      timelineUrl: 'https://api.example.com/orders/5000000000001/timeline?token=t',
    });
    expect(buttons(escalated)).toEqual([
      'ordersync:recheck',
      'ordersync:retry_repair',
      'ordersync:mute',
      'ordersync:ignore',
    ]);
    expect(JSON.stringify(escalated.blocks)).toContain('|Timeline>');
    expect(
      buttons(buildNotificationMessage(alert('needs_human', 'blocked_on_data'), 0, { actions: true })),
    ).toEqual(['ordersync:recheck', 'ordersync:mute', 'ordersync:ignore']);
  });

  it('puts none on a resolved message, nor anywhere without a Slack app', () => {
    expect(buttons(buildNotificationMessage(alert('resolved', 'in_sync'), 0, { actions: true }))).toEqual([]);
    expect(buttons(buildNotificationMessage(alert('needs_human', 'blocked_on_data'), 0))).toEqual([]);
  });
});
