/**
 * THE state table: every order-sync state of DESIGN.md, what it means, and the groups the rest of the code asks
 * about. The only place a group of states is declared; everything else asks `inGroup(state, …)`.
 *
 * `missing` is DESIGN.md's name for "not in HotWax after the delay". It is an observation, never a state a record
 * rests in: the same check that observes it moves the order on (re-import, `blocked_on_data` or `ignored`), and the
 * decision table records it in the timeline (`detail.observed: 'missing'` on those events) and in the
 * `OrdersMissing` metric. No record is ever written in it, so no code handles it.
 *
 * `ambiguous` is the one state this table adds to DESIGN.md's: HotWax holds several live (non-cancelled) orders with
 * the order's Shopify id (an exchange, a duplicate import). The monitor does not pick one, calls nothing in sync and
 * repairs nothing; a person decides, and the order is re-checked on the waiting backoff until HotWax holds exactly
 * one live order (then `in_sync`, and the person hears it is resolved).
 */

export interface StateRow {
  /** how people read the state (Slack, CLI) */
  readonly label: string;
  /** a record can be in it; false for observations (`missing`) */
  readonly resting: boolean;
  /** a person must act: `status` exits 1, "resolved" is sent when the order later reaches HotWax */
  readonly needsPerson: boolean;
  /** the monitor owes the order another check (so a lost check is recovered by the sweep) */
  readonly checkOwed: boolean;
  /** no check runs and a new delivery leaves it alone: a person owns it, or it needs nothing ever again */
  readonly settled: boolean;
  /** nothing is wrong and nothing is to do: in HotWax as expected, or nothing to sync */
  readonly healthy: boolean;
  /** a repair was requested and the next check verifies it */
  readonly repairPending: boolean;
}

const row = (label: string, groups: Partial<Omit<StateRow, 'label'>>): StateRow => ({
  label,
  resting: true,
  needsPerson: false,
  checkOwed: false,
  settled: false,
  healthy: false,
  repairPending: false,
  ...groups,
});

export const stateTable = {
  pending_check: row('Waiting for a check', { checkOwed: true }),
  in_sync: row('In sync', { healthy: true }),
  missing: row('Not in HotWax', { resting: false }),
  reimport_requested: row('Re-import requested', { checkOwed: true, repairPending: true }),
  blocked_on_data: row('Blocked on data in Shopify', { checkOwed: true, needsPerson: true }),
  stuck_created: row('Stuck in Created', { checkOwed: true, needsPerson: true }),
  refresh_requested: row('Refresh requested', { checkOwed: true, repairPending: true }),
  awaiting_approval: row('Awaiting approval', { checkOwed: true, needsPerson: true }),
  ambiguous: row('Several live orders in HotWax', { checkOwed: true, needsPerson: true }),
  escalated: row('Escalated to HotWax support', { needsPerson: true, settled: true }),
  ignored: row('Ignored', { settled: true, healthy: true }),
} as const satisfies Record<string, StateRow>;

/** Every name of DESIGN.md's state table, observations included. */
export type DesignState = keyof typeof stateTable;

/** The names of the table that are observations (`resting: false`), not states a record can be in. */
type Observation = 'missing';

/** The states a record can be in. */
export type SyncState = Exclude<DesignState, Observation>;

export const syncStates = (Object.keys(stateTable) as DesignState[]).filter(
  (state): state is SyncState => stateTable[state].resting,
);

export type StateGroup = Exclude<keyof StateRow, 'label' | 'resting'>;

export const inGroup = (state: string, group: StateGroup): boolean =>
  stateTable[state as DesignState]?.[group] ?? false;

/** The states of a group, in the table's order. */
export const statesIn = (group: StateGroup): SyncState[] =>
  syncStates.filter((state) => inGroup(state, group));

export const stateLabel = (state: string): string => stateTable[state as DesignState]?.label ?? state;
