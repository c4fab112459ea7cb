import type { Finding, OrderRecord, TimelineEvent } from '../order-sync.js';
import { pickFacts } from '../order-sync.js';
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

/**
 * Decides the order's next step from what HotWax, Shopify and the failed-record logs show: picks the situation
 * (`situationOf`), escalates instead when a repair is due but the repairs are used up, and applies the row of the
 * decision table. Pure: no I/O, time comes in as `now`.
 */
export const decide = (
  current: OrderRecord,
  assessment: Assessment,
  evidence: Evidence,
  context: DecideContext,
): Decision => {
  const { now, settings } = context;
  const base = withFacts(current, evidence.shopify);
  let situation: Situation = situationOf({
    current,
    base,
    assessment,
    evidence,
    capabilities: context.capabilities,
  });
  let row = decisionTable[situation.kind] as DecisionRow;
  const stayed = current.state === row.next;
  const { delay, rechecks } = backoff(current, settings, stayed);
  const facts: RowFacts = {
    current,
    base,
    versions: evidence.versions,
    now,
    stayed,
    nextLookAt: now + delay,
  };

  // A repair that was requested and has not shown up is a failed attempt: try again, or hand it to a person.
  if (
    (row.action === 'reimport' || row.action === 'refresh') &&
    current.repairAttempts >= settings.maxRepairAttempts
  ) {
    situation = {
      kind: 'repairs_exhausted',
      why: row.says(situation, facts),
      finding: row.finding?.(situation, facts),
      ...(row.keeps ? { keeps: row.keeps(situation, facts) } : {}),
    };
    row = decisionTable.repairs_exhausted as DecisionRow;
  }

  const finding = row.finding?.(situation, facts);
  const changes: Partial<OrderRecord> = { ...row.keeps?.(situation, facts), ...(finding ? { finding } : {}) };
  let message = row.says(situation, facts);
  let action: RepairAction | undefined;

  if (row.action === 'reimport' || row.action === 'refresh') {
    action =
      row.action === 'refresh' && 'stuck' in situation
        ? { kind: 'refresh', hotwaxOrderId: situation.stuck.live.orderId }
        : { kind: 'reimport' };
    const repair = repairFor(action, context.capabilities, current.orderId);
    const attempt = current.repairAttempts + 1;
    Object.assign(changes, {
      repairAttempts: attempt,
      lastRepairAt: now,
      repairs: [...(current.repairs ?? []), { at: now, kind: repair.kind, detail: repair.detail }].slice(-10),
      nextCheckAt: now + settings.verifyDelayMs,
    });
    message += `; ${repair.detail} requested (attempt ${attempt} of ${settings.maxRepairAttempts}), verify at ${iso(now + settings.verifyDelayMs)}.`;
  }
  if (row.action === 'wait_on_person') Object.assign(changes, { nextCheckAt: now + delay, rechecks });

  const inHotwax = 'live' in situation && row.next === 'in_sync' ? situation : undefined;
  const inSync = inHotwax !== undefined;
  if (inHotwax) {
    const { live, watchUntil } = inHotwax;
    Object.assign(changes, {
      hotwax: hotwaxSummary(current, live, evidence.versions, now),
      repairAttempts: 0,
      ...(watchUntil !== undefined ? { nextCheckAt: watchUntil } : {}),
      ...(current.inSyncAt === undefined ? { inSyncAt: now } : {}),
    });
    if (watchUntil !== undefined) message += ` Created is normal for now; re-checking at ${iso(watchUntil)}.`;
  }

  const record = move(current, base, row.next, changes, now);
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
    { at: now, type, state: row.next, message, ...(Object.keys(detail).length > 0 ? { detail } : {}) },
  ];

  const notify = notificationOf(row, situation, facts, record, finding, message, evidence.versions);
  // Remembered, so the person hears "resolved" later and is not told twice.
  if (notify && notify.kind !== 'resolved') record.humanNotifiedAt = now;
  return {
    situation: situation.kind,
    record,
    events,
    ...(action ? { action } : {}),
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
