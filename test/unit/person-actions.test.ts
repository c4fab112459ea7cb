import { describe, expect, it } from 'vitest';
import { applyOrderSeen } from '../../shared/domain/apply-order-seen.js';
import type { OrderRecord } from '../../shared/domain/order-sync.js';
import {
  actionsFor,
  alertsMuted,
  applyPersonAction,
  cleanReason,
  muteMs,
  type PersonActionKind,
  type PersonActionRequest,
  sameRequestWithinMs,
} from '../../shared/domain/person-actions.js';
import { orderQueries, parseCommandText } from '../../shared/domain/person-requests.js';
import { type SyncState, syncStates } from '../../shared/domain/states.js';
import { webOrderFacts } from '../support/order-fixtures.js';

const shop = 'acme.myshopify.com';
const t0 = Date.UTC(2026, 4, 4, 9, 0);

const record = (state: SyncState, overrides: Partial<OrderRecord> = {}): OrderRecord => ({
  ...webOrderFacts(t0 - 3_600_000, { shop, orderId: '5000000000001' }),
  state,
  stateSince: t0 - 1_800_000,
  expectation: 'created',
  repairAttempts: state === 'escalated' ? 3 : 0,
  version: 4,
  firstSeenAt: t0 - 3_600_000,
  source: 'webhook',
  ...overrides,
});

const ask = (kind: PersonActionKind, overrides: Partial<PersonActionRequest> = {}): PersonActionRequest => ({
  kind,
  actor: 'U0PERSON',
  requestId: `click:U0PERSON:${kind}:1`,
  at: t0,
  ...overrides,
});

describe('which actions each state allows', () => {
  // The buttons of an order's message: the rules of person-actions.ts, state by state.
  const table: Record<SyncState, PersonActionKind[]> = {
    pending_check: ['recheck', 'ignore'],
    in_sync: ['recheck', 'ignore'],
    reimport_requested: ['recheck', 'ignore'],
    blocked_on_data: ['recheck', 'mute', 'ignore'],
    stuck_created: ['recheck', 'mute', 'ignore'],
    refresh_requested: ['recheck', 'ignore'],
    awaiting_approval: ['recheck', 'mute', 'ignore'],
    ambiguous: ['recheck', 'mute', 'ignore'],
    escalated: ['recheck', 'retry_repair', 'mute', 'ignore'],
    ignored: ['recheck'],
  };
  it.each(syncStates)('%s', (state) => {
    expect(actionsFor(record(state), t0)).toEqual(table[state]);
  });

  it('offers no Mute while the order is muted, and again once the day is over', () => {
    const muted = record('blocked_on_data', { byPerson: { mutedUntil: t0 + 1000, mutedBy: 'U1' } });
    expect(actionsFor(muted, t0)).not.toContain('mute');
    expect(actionsFor(muted, t0 + 2000)).toContain('mute');
  });
});

describe('Re-check now', () => {
  it('queues a check now, marked with who asked, and keeps nextCheckAt so the sweep recovers a lost message', () => {
    const outcome = applyPersonAction(
      record('blocked_on_data', { nextCheckAt: t0 + 900_000 }),
      ask('recheck'),
    );
    expect(outcome.kind).toBe('applied');
    if (outcome.kind !== 'applied') return;
    expect(outcome.check).toEqual({
      v: 1,
      shop,
      orderId: '5000000000001',
      reason: 'manual',
      dueAt: t0,
      requestedBy: { actor: 'U0PERSON', requestId: 'click:U0PERSON:recheck:1' },
    });
    expect(outcome.record.nextCheckAt).toBe(t0);
    expect(outcome.record.state).toBe('blocked_on_data');
    expect(outcome.event).toMatchObject({
      type: 'person.recheck',
      state: 'blocked_on_data',
      detail: { actor: 'U0PERSON', via: 'slack' },
    });
    expect(outcome.event.message).toContain('Slack user U0PERSON');
  });

  it('schedules nothing on an escalated order (settled): the manual check alone runs', () => {
    const outcome = applyPersonAction(record('escalated'), ask('recheck'));
    expect(outcome.kind === 'applied' && outcome.record.nextCheckAt).toBeFalsy();
    expect(outcome.kind === 'applied' && outcome.check?.reason).toBe('manual');
  });

  it('watches an order a person ignored again: pending_check, the ignore forgotten', () => {
    const ignored = record('ignored', { byPerson: { ignoredBy: 'U1', ignoredReason: 'duplicate' } });
    const outcome = applyPersonAction(ignored, ask('recheck'));
    expect(outcome.kind).toBe('applied');
    if (outcome.kind !== 'applied') return;
    expect(outcome.record.state).toBe('pending_check');
    expect(outcome.record.stateSince).toBe(t0);
    expect(outcome.record.byPerson?.ignoredBy).toBeUndefined();
    expect(outcome.record.nextCheckAt).toBe(t0);
  });

  it('treats a double click and Slack retrying the same delivery as one request', () => {
    const first = applyPersonAction(record('blocked_on_data'), ask('recheck'));
    if (first.kind !== 'applied') throw new Error('not applied');
    const retried = applyPersonAction(first.record, ask('recheck'));
    expect(retried.kind).toBe('duplicate');
    const doubleClick = applyPersonAction(
      first.record,
      ask('recheck', { requestId: 'click:U0OTHER:recheck:2', actor: 'U0OTHER', at: t0 + 800 }),
    );
    expect(doubleClick).toEqual({
      kind: 'duplicate',
      said: expect.stringContaining('already asked by Slack user U0PERSON'),
    });
    const later = applyPersonAction(
      first.record,
      ask('recheck', { requestId: 'click:U0PERSON:recheck:3', at: t0 + sameRequestWithinMs + 1 }),
    );
    expect(later.kind).toBe('applied');
  });
});

describe('Retry repair', () => {
  it('resets the repairs of an escalated order and runs the runbook again now', () => {
    const outcome = applyPersonAction(record('escalated', { rechecks: 2 }), ask('retry_repair'));
    expect(outcome.kind).toBe('applied');
    if (outcome.kind !== 'applied') return;
    expect(outcome.record).toMatchObject({
      state: 'pending_check',
      repairAttempts: 0,
      nextCheckAt: t0,
      stateSince: t0,
    });
    expect(outcome.record.rechecks).toBeUndefined();
    expect(outcome.check).toMatchObject({ reason: 'manual', dueAt: t0 });
    expect(outcome.event).toMatchObject({ type: 'person.retry_repair', detail: { repairAttemptsBefore: 3 } });
  });

  it.each(['blocked_on_data', 'in_sync', 'reimport_requested'] as const)(
    'is refused on a %s order',
    (state) => {
      expect(applyPersonAction(record(state), ask('retry_repair'))).toEqual({
        kind: 'refused',
        said: expect.stringContaining('for escalated orders'),
      });
    },
  );
});

describe('Mute 24 h', () => {
  it('silences the alerts for a day and names who muted; the checks go on', () => {
    const outcome = applyPersonAction(record('awaiting_approval', { nextCheckAt: t0 + 5000 }), ask('mute'));
    if (outcome.kind !== 'applied') throw new Error('not applied');
    expect(outcome.check).toBeUndefined();
    expect(outcome.record.nextCheckAt).toBe(t0 + 5000);
    expect(outcome.record.byPerson).toMatchObject({ mutedUntil: t0 + muteMs, mutedBy: 'U0PERSON' });
    expect(alertsMuted(outcome.record, t0 + muteMs - 1)).toBe(true);
    expect(alertsMuted(outcome.record, t0 + muteMs)).toBe(false);
    expect(outcome.event.message).toMatch(/Alerts muted by Slack user U0PERSON until .*checks go on/);
  });

  it('does not extend a mute that is on', () => {
    const muted = record('awaiting_approval', { byPerson: { mutedUntil: t0 + 60_000, mutedBy: 'U1' } });
    expect(applyPersonAction(muted, ask('mute')).kind).toBe('duplicate');
  });
});

describe('Ignore order', () => {
  it('moves the order to ignored with who and why, and schedules no check', () => {
    const outcome = applyPersonAction(
      record('blocked_on_data', { nextCheckAt: t0 + 5000 }),
      ask('ignore', { reason: '  Duplicate of #1002,\n cancelled by phone  ' }),
    );
    if (outcome.kind !== 'applied') throw new Error('not applied');
    expect(outcome.record).toMatchObject({ state: 'ignored', stateSince: t0 });
    expect(outcome.record.nextCheckAt).toBeUndefined();
    expect(outcome.record.byPerson).toMatchObject({
      ignoredBy: 'U0PERSON',
      ignoredReason: 'Duplicate of #1002, cancelled by phone',
    });
    expect(outcome.event).toMatchObject({
      type: 'person.ignore',
      state: 'ignored',
      detail: { reason: 'Duplicate of #1002, cancelled by phone' },
    });
  });

  it('needs a reason, and keeps none of the customer data a person might paste into it', () => {
    expect(applyPersonAction(record('escalated'), ask('ignore', { reason: '   ' })).kind).toBe('refused');
    expect(cleanReason('customer jane@example.com called +1 555 123 4567')).toBe(
      'customer [email] called [phone]',
    );
    expect(cleanReason('x'.repeat(500))).toHaveLength(200);
  });

  it('is a duplicate on an order already ignored', () => {
    expect(applyPersonAction(record('ignored'), ask('ignore', { reason: 'again' })).kind).toBe('duplicate');
  });

  it('stays ignored when a later webhook arrives, and the timeline says who ignored it', () => {
    const ignored = record('ignored', { byPerson: { ignoredBy: 'U0PERSON', ignoredReason: 'duplicate' } });
    const seen = applyOrderSeen(ignored, {
      facts: { ...webOrderFacts(t0, { shop, orderId: ignored.orderId }), fulfillmentStatus: 'fulfilled' },
      expectation: 'fulfilled',
      via: 'orders/fulfilled',
      at: t0 + 1000,
      checkDelayMs: 300_000,
    });
    expect(seen.record.state).toBe('ignored');
    expect(seen.check).toBeUndefined();
    expect(seen.event.message).toContain('ignored by Slack user U0PERSON (duplicate)');
  });
});

describe('/ordersync', () => {
  it.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    [' STATUS ', { kind: 'status' }],
    ['#1001', { kind: 'order', query: '#1001' }],
  ] as const)('reads %j', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });

  it('tries a long number as a Shopify id and as a name, a short one as a name with and without #', () => {
    expect(orderQueries('5000071396169')).toEqual({
      ids: ['5000071396169'],
      names: ['#5000071396169', '5000071396169'],
    });
    expect(orderQueries('1001')).toEqual({ ids: [], names: ['#1001', '1001'] });
    expect(orderQueries('#1001')).toEqual({ ids: [], names: ['#1001'] });
  });
});
