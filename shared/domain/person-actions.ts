import { scrubPii, utc } from './notification-text.js';
import type { CheckMessage, OrderRecord, TimelineEvent } from './order-sync.js';
import { inGroup, type SyncState, stateLabel } from './states.js';

/**
 * What a person can do about an order from Slack, and the rules of each: which states allow it, what it changes,
 * and what makes a second request the same one (Slack retries a delivery it got no answer to within 3 s, and people
 * double-click). Actors are Slack user ids, never names: the timeline keeps no personal data.
 *
 * | action       | allowed in                        | does                                                                 |
 * | ------------ | --------------------------------- | -------------------------------------------------------------------- |
 * | recheck      | every state                       | a check now (an order a person ignored is watched again)             |
 * | retry_repair | escalated                         | repairs reset to 0, the runbook runs again now                       |
 * | mute         | every state but ignored           | no alert for 24 h (checks go on; "resolved" still reaches the thread) |
 * | ignore       | every state but ignored           | `ignored`, with who and why; a later webhook leaves it ignored       |
 *
 * Retry repair and Ignore undo what the monitor would do, so a deployment may keep them to some people.
 */

export const personActionKinds = ['recheck', 'retry_repair', 'mute', 'ignore'] as const;
export type PersonActionKind = (typeof personActionKinds)[number];

/** How long Mute silences an order's alerts. */
export const muteMs = 24 * 3_600_000;
/** The same action on the same order this soon again is the same request (a double click, Slack's retry). */
export const sameRequestWithinMs = 60_000;
/** The reason of an Ignore: one line, short enough for a timeline line and a Slack context. */
export const maxReasonLength = 200;

/** The actions that undo what the monitor would do: SLACK_ALLOWED_ACTORS may keep them to some people. */
export const restrictedActions: ReadonlySet<PersonActionKind> = new Set(['retry_repair', 'ignore']);

export const actionLabels: Record<PersonActionKind, string> = {
  recheck: 'Re-check now',
  retry_repair: 'Retry repair',
  mute: 'Mute 24 h',
  ignore: 'Ignore order',
};

/** What people decided about an order, kept on its record (ids only). */
export interface PersonMarks {
  /** epoch ms until which no alert is sent for the order */
  mutedUntil?: number;
  mutedBy?: string;
  /** the order was moved to `ignored` by this person, with their one-line reason */
  ignoredBy?: string;
  ignoredReason?: string;
  /** the last action taken, so a double click or a retried delivery is recognised */
  last?: { kind: PersonActionKind; actor: string; at: number; requestId: string };
}

export interface PersonActionRequest {
  kind: PersonActionKind;
  /** Slack user id */
  actor: string;
  /** one per click or submission; a retried delivery of it carries the same */
  requestId: string;
  at: number;
  /** Ignore only: the person's reason */
  reason?: string;
}

export type PersonActionOutcome =
  | {
      kind: 'applied';
      record: OrderRecord;
      event: TimelineEvent;
      /** the check to queue now (Re-check now, Retry repair) */
      check?: CheckMessage;
    }
  /** asked already (`last`), or already so (muted, ignored): nothing changes */
  | { kind: 'duplicate'; said: string }
  | { kind: 'refused'; said: string };

/** Alerts for the order are silenced (Mute 24 h). */
export const alertsMuted = (record: Pick<OrderRecord, 'byPerson'>, now: number): boolean =>
  (record.byPerson?.mutedUntil ?? 0) > now;

/** Whether the state allows the action (the buttons a message shows, and what a click may do). */
export const allowedIn = (kind: PersonActionKind, state: SyncState | string): boolean => {
  switch (kind) {
    case 'recheck':
      return true;
    case 'retry_repair':
      return state === 'escalated';
    case 'mute':
    case 'ignore':
      return state !== 'ignored';
  }
};

/**
 * The buttons an order's message carries: Mute only where an alert could follow (a person is needed), and not
 * while muted; the rest as the states allow.
 */
export const actionsFor = (
  record: { state: string; byPerson?: PersonMarks | undefined },
  now: number,
): PersonActionKind[] =>
  personActionKinds.filter((kind) => {
    if (!allowedIn(kind, record.state)) return false;
    if (kind === 'mute') return inGroup(record.state, 'needsPerson') && !alertsMuted(record, now);
    return true;
  });

/** A person's reason as the timeline keeps it: one line, no e-mail or phone, at most `maxReasonLength`. */
export const cleanReason = (reason: string): string => {
  const line = scrubPii(reason.replace(/\s+/g, ' ').trim());
  return line.length <= maxReasonLength ? line : `${line.slice(0, maxReasonLength - 1)}…`;
};

const by = (actor: string) => `Slack user ${actor}`;

const isSameRequest = (marks: PersonMarks | undefined, request: PersonActionRequest) => {
  const last = marks?.last;
  if (!last) return false;
  if (last.requestId === request.requestId) return true;
  return last.kind === request.kind && request.at - last.at < sameRequestWithinMs && request.at >= last.at;
};

/**
 * Applies a person's action to the order (pure; the use case saves the record and the event together).
 *
 * 1. The same request again (its id, or the same action within a minute) changes nothing.
 * 2. The state must allow the action (Retry repair is for escalated orders; an ignored order is not ignored twice).
 * 3. Re-check now: a check now, with who asked; an order waiting on a check keeps `nextCheckAt` = now so the sweep
 *    recovers the check if its message is lost; an ignored order is watched again.
 * 4. Retry repair: repairs reset, the order waits on a check now (`pending_check`) and the runbook runs again.
 * 5. Mute 24 h: alerts silenced until then; checks go on.
 * 6. Ignore: `ignored` with who and why; no check is scheduled, and a later webhook leaves it so.
 */
export const applyPersonAction = (
  current: OrderRecord,
  request: PersonActionRequest,
): PersonActionOutcome => {
  const { kind, actor, at } = request;
  const marks = current.byPerson;
  if (isSameRequest(marks, request)) {
    const last = marks?.last as NonNullable<PersonMarks['last']>;
    return {
      kind: 'duplicate',
      said: `${actionLabels[last.kind]} was already asked by ${by(last.actor)} at ${utc(last.at)}.`,
    };
  }
  if (kind === 'mute' && alertsMuted(current, at)) {
    return {
      kind: 'duplicate',
      said: `Alerts are already muted by ${by(marks?.mutedBy ?? 'unknown')} until ${utc(marks?.mutedUntil ?? at)}.`,
    };
  }
  if (kind === 'ignore' && current.state === 'ignored') {
    return {
      kind: 'duplicate',
      said: marks?.ignoredBy
        ? `The order is already ignored (by ${by(marks.ignoredBy)}: ${marks.ignoredReason ?? 'no reason'}).`
        : 'The order is already ignored.',
    };
  }
  if (!allowedIn(kind, current.state)) {
    return {
      kind: 'refused',
      said: `${actionLabels[kind]} is for escalated orders; this one is ${stateLabel(current.state).toLowerCase()}.`,
    };
  }
  const reason = kind === 'ignore' ? cleanReason(request.reason ?? '') : undefined;
  if (kind === 'ignore' && !reason) {
    return { kind: 'refused', said: 'Say in one line why the order is ignored.' };
  }

  const next: OrderRecord = {
    ...current,
    byPerson: { ...marks, last: { kind, actor, at, requestId: request.requestId } },
  };
  const marksOf = () => next.byPerson as PersonMarks;
  const moveTo = (state: SyncState) => {
    if (state !== next.state) next.stateSince = at;
    next.state = state;
    delete next.rechecks;
  };
  const check: CheckMessage = {
    v: 1,
    shop: current.shop,
    orderId: current.orderId,
    reason: 'manual',
    dueAt: at,
    requestedBy: { actor, requestId: request.requestId },
  };
  let message: string;
  const detail: Record<string, unknown> = { actor, via: 'slack', requestId: request.requestId };

  switch (kind) {
    case 'recheck': {
      if (current.state === 'ignored') {
        const { ignoredBy: _by, ignoredReason: _reason, ...rest } = marksOf();
        next.byPerson = rest;
        moveTo('pending_check');
        message = `Re-check asked by ${by(actor)}: the order is watched again and checked now.`;
      } else {
        message = `Re-check asked by ${by(actor)}: the runbook runs now.`;
      }
      // A lost message leaves an overdue check the sweep finds; settled orders owe none.
      if (inGroup(next.state, 'checkOwed')) next.nextCheckAt = at;
      break;
    }
    case 'retry_repair': {
      detail.repairAttemptsBefore = current.repairAttempts;
      next.repairAttempts = 0;
      moveTo('pending_check');
      next.nextCheckAt = at;
      message = `Retry repair asked by ${by(actor)}: ${current.repairAttempts} repairs forgotten, the runbook runs again now.`;
      break;
    }
    case 'mute': {
      const until = at + muteMs;
      next.byPerson = { ...marksOf(), mutedUntil: until, mutedBy: actor };
      detail.mutedUntil = until;
      message = `Alerts muted by ${by(actor)} until ${utc(until)}; the checks go on.`;
      break;
    }
    case 'ignore': {
      next.byPerson = { ...marksOf(), ignoredBy: actor, ignoredReason: reason as string };
      moveTo('ignored');
      delete next.nextCheckAt;
      detail.reason = reason;
      message = `Ignored by ${by(actor)}: ${reason}`;
      break;
    }
  }

  return {
    kind: 'applied',
    record: next,
    event: { at, type: `person.${kind}`, state: next.state, message, detail },
    ...(kind === 'recheck' || kind === 'retry_repair' ? { check } : {}),
  };
};
