import type { Finding, OrderRecord, TimelineEvent } from '../order-sync.js';
import { pickFacts } from '../order-sync.js';
import { alertsMuted } from '../person-actions.js';
import type { HotwaxCapabilities, HotwaxOrder } from '../ports.js';
import { inGroup, type SyncState } from '../states.js';
import type { Assessment } from './assess.js';
import { type DecisionRow, decisionTable, hotwaxSummary, type RowFacts } from './decision-table.js';
import type { Evidence } from './evidence.js';
import { type RepairAction, repairFor } from './repairs.js';
import type { RunbookSettings } from './settings.js';
import { type Situation, type SituationKind, situationOf } from './situations.js';
import { contactSupport } from './words.js';

/** Someone must hear about the decision; the checker adds the order's links and hands it to the notifier. */
export interface NotificationIntent {
  kind: 'needs_human' | 'resolved' | 'escalated';
  title: string;
  explanation?: string;
  fix?: string;
  rawError?: string;
  bundle?: Record<string, unknown>;
}

export interface Decision {
  /** the row that applied */
  situation: SituationKind;
  record: OrderRecord;
  events: TimelineEvent[];
  action?: RepairAction;
  notify?: NotificationIntent;
  /** first time the order reached HotWax in the expected state: seconds since its creation in Shopify */
  syncLagSeconds?: number;
  /** the decision verified an earlier repair */
  repairVerified?: boolean;
}

export interface DecideContext {
  now: number;
  settings: RunbookSettings;
  capabilities: HotwaxCapabilities;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Shopify's fresh copy updates the facts the monitor keeps (never the monitor's own bookkeeping). */
const withFacts = (record: OrderRecord, shopify: Evidence['shopify']): OrderRecord =>
  !shopify || shopify.updatedAt < record.updatedAt
    ? record
    : { ...record, ...pickFacts(shopify), orderId: record.orderId };

const supportBundle = (record: OrderRecord, versions: readonly HotwaxOrder[], finding?: Finding) => ({
  shop: record.shop,
  shopifyOrderId: record.orderId,
  orderName: record.orderName,
  channel: record.channel,
  state: record.state,
  expectation: record.expectation,
  repairAttempts: record.repairAttempts,
  repairs: record.repairs ?? [],
  hotwaxVersions: versions.map(({ orderId, statusId, entryDate }) => ({ orderId, statusId, entryDate })),
  ...(finding ? { finding } : {}),
});

/** Waiting on a person: look again after `recheckMs`, doubling per look up to `maxRecheckMs`. */
const backoff = (current: OrderRecord, settings: RunbookSettings, stayed: boolean) => {
  const rechecks = stayed ? (current.rechecks ?? 0) + 1 : 0;
  return { delay: Math.min(settings.maxRecheckMs, settings.recheckMs * 2 ** rechecks), rechecks };
};

/** The record in its next state: a new state starts its clock, and no check stays scheduled unless set. */
const move = (
  current: OrderRecord,
  base: OrderRecord,
  state: SyncState,
  changes: Partial<OrderRecord>,
  now: number,
) => {
  const changed = state !== current.state;
  const next: OrderRecord = { ...base, ...changes, state, stateSince: changed ? now : current.stateSince };
  if (!('nextCheckAt' in changes)) delete next.nextCheckAt;
  if (changed && !('rechecks' in changes)) delete next.rechecks;
  return next;
};

/** The record changes and the timeline message of one action; the message starts as the row says. */
interface Step {
  changes: Partial<OrderRecord>;
  message: string;
  action?: RepairAction;
}

/** Request the repair: count the attempt, keep it for the support bundle, verify it later. */
const requestRepair = (
  row: DecisionRow,
  situation: Situation,
  facts: RowFacts,
  context: DecideContext,
): Step => {
  const { current, now } = facts;
  const { settings } = context;
  const action: RepairAction =
    row.action === 'refresh' && 'stuck' in situation
      ? { kind: 'refresh', hotwaxOrderId: situation.stuck.live.orderId }
      : { kind: 'reimport' };
  const repair = repairFor(action, context.capabilities, current.orderId);
  const attempt = current.repairAttempts + 1;
  const verifyAt = now + settings.verifyDelayMs;
  return {
    action,
    changes: {
      repairAttempts: attempt,
      lastRepairAt: now,
      repairs: [...(current.repairs ?? []), { at: now, kind: repair.kind, detail: repair.detail }].slice(-10),
      nextCheckAt: verifyAt,
    },
    message: `${row.says(situation, facts)}; ${repair.detail} requested (attempt ${attempt} of ${settings.maxRepairAttempts}), verify at ${iso(verifyAt)}.`,
  };
};

/** In HotWax as expected: the HotWax order kept, repairs reset, watched while Created is still normal. */
const recordInSync = (situation: Situation, facts: RowFacts, message: string): Step => {
  const { current, versions, now } = facts;
  if (!('live' in situation)) return { changes: {}, message };
  const { live } = situation;
  const watchUntil = 'watchUntil' in situation ? situation.watchUntil : undefined;
  return {
    changes: {
      hotwax: hotwaxSummary(current, live, versions, now),
      repairAttempts: 0,
      ...(watchUntil !== undefined ? { nextCheckAt: watchUntil } : {}),
      ...(current.inSyncAt === undefined ? { inSyncAt: now } : {}),
    },
    message:
      watchUntil === undefined
        ? message
        : `${message} Created is normal for now; re-checking at ${iso(watchUntil)}.`,
  };
};

/** A repair row whose repairs are used up becomes the escalation row, carrying why the repair was needed. */
const escalateIfExhausted = (
  row: DecisionRow,
  situation: Situation,
  facts: RowFacts,
  settings: RunbookSettings,
): { row: DecisionRow; situation: Situation } => {
  const repairs = row.action === 'reimport' || row.action === 'refresh';
  if (!repairs || facts.current.repairAttempts < settings.maxRepairAttempts) return { row, situation };
  return {
    row: decisionTable.repairs_exhausted as DecisionRow,
    situation: {
      kind: 'repairs_exhausted',
      why: row.says(situation, facts),
      finding: row.finding?.(situation, facts),
      ...(row.keeps ? { keeps: row.keeps(situation, facts) } : {}),
    },
  };
};

/**
 * Decides the order's next step from what HotWax, Shopify and the failed-record logs show.
 *
 * 1. Pick the situation (`situationOf`) and its row of the decision table; a repair that is due when the repairs
 *    are used up is escalated instead.
 * 2. Apply the row's action: request the repair, wait on a person (a backoff), or record the order in sync.
 * 3. Write the timeline event and the notification the row calls for.
 * Pure: no I/O, time comes in as `now`.
 */
export const decide = (
  current: OrderRecord,
  assessment: Assessment,
  evidence: Evidence,
  context: DecideContext,
): Decision => {
  const { now, settings } = context;
  const base = withFacts(current, evidence.shopify);
  const found = situationOf({ current, base, assessment, evidence, capabilities: context.capabilities });
  const foundRow = decisionTable[found.kind] as DecisionRow;
  const stayed = current.state === foundRow.next;
  const { delay, rechecks } = backoff(current, settings, stayed);
  const facts: RowFacts = {
    current,
    base,
    versions: evidence.versions,
    now,
    stayed,
    nextLookAt: now + delay,
  };
  const { row, situation } = escalateIfExhausted(foundRow, found, facts, settings);

  const finding = row.finding?.(situation, facts);
  const said = row.says(situation, facts);
  const step: Step =
    row.action === 'reimport' || row.action === 'refresh'
      ? requestRepair(row, situation, facts, context)
      : row.action === 'wait_on_person'
        ? { changes: { nextCheckAt: now + delay, rechecks }, message: said }
        : row.next === 'in_sync'
          ? recordInSync(situation, facts, said)
          : { changes: {}, message: said };

  const record = move(
    current,
    base,
    row.next,
    { ...row.keeps?.(situation, facts), ...(finding ? { finding } : {}), ...step.changes },
    now,
  );
  const inSync = row.next === 'in_sync';
  if (inSync) {
    delete record.finding;
    delete record.humanNotifiedAt;
  }
  const detail = {
    ...row.detail?.(situation, facts),
    // DESIGN.md's `missing`: observed here, never a state the record rests in.
    ...(assessment.kind === 'absent' ? { observed: 'missing' } : {}),
  };
  const type = typeof row.event === 'string' ? row.event : row.event[stayed ? 1 : 0];
  const events: TimelineEvent[] = [
    {
      at: now,
      type,
      state: row.next,
      message: step.message,
      ...(Object.keys(detail).length > 0 ? { detail } : {}),
    },
  ];

  const intent = notificationOf(row, situation, facts, record, finding, step.message, evidence.versions);
  // A person muted the order's alerts from Slack: the look goes on, the alert is only noted on the timeline.
  const muted = intent !== undefined && intent.kind !== 'resolved' && alertsMuted(current, now);
  const notify = muted ? undefined : intent;
  if (muted) {
    const [event] = events as [TimelineEvent];
    event.detail = {
      ...event.detail,
      alertMuted: { until: current.byPerson?.mutedUntil, by: current.byPerson?.mutedBy },
    };
  }
  // Remembered, so the person hears "resolved" later and is not told twice.
  if (notify && notify.kind !== 'resolved') record.humanNotifiedAt = now;
  return {
    situation: situation.kind,
    record,
    events,
    ...(step.action ? { action: step.action } : {}),
    ...(notify ? { notify } : {}),
    ...(inSync && current.inSyncAt === undefined
      ? { syncLagSeconds: Math.max(0, Math.round((now - current.createdAt) / 1000)) }
      : {}),
    ...(row.verifiesRepair ? { repairVerified: true } : {}),
  };
};

/** Who is told, as the row says. */
const notificationOf = (
  row: DecisionRow,
  situation: Situation,
  facts: RowFacts,
  record: OrderRecord,
  finding: Finding | undefined,
  message: string,
  versions: readonly HotwaxOrder[],
): NotificationIntent | undefined => {
  const { current, stayed } = facts;
  const title = row.title?.(situation, facts) ?? message;
  switch (row.tells) {
    case 'nobody':
      return undefined;
    case 'resolved_if_told':
      return current.humanNotifiedAt !== undefined || inGroup(current.state, 'needsPerson')
        ? { kind: 'resolved', title }
        : undefined;
    case 'person_once':
      // Told already: look again quietly. Not told (the alert could not be queued): tell them now.
      if (stayed && current.humanNotifiedAt !== undefined) return undefined;
      return {
        kind: 'needs_human',
        title,
        ...(finding ? { explanation: finding.explanation, fix: finding.fix } : {}),
        ...(finding?.rawError !== undefined ? { rawError: finding.rawError } : {}),
      };
    case 'support':
      // Escalated already, and looked at again because a person asked: they hear the outcome, support is not
      // sent the same bundle twice.
      if (current.state === 'escalated' && current.humanNotifiedAt !== undefined) return undefined;
      return {
        kind: 'escalated',
        title,
        explanation:
          finding?.explanation ?? (situation.kind === 'repairs_exhausted' ? situation.why : message),
        fix: contactSupport,
        ...(finding?.rawError ? { rawError: finding.rawError } : {}),
        bundle: supportBundle(record, versions, finding),
      };
  }
};
