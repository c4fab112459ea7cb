import type { OrderRecord } from '../../domain/order-sync.js';
import type { OrderRepository, ShopContext, Telemetry } from '../../domain/ports.js';
import type { Decision } from '../../domain/runbook/decide.js';
import { servedByEarlierRun } from '../../domain/runbook/words.js';
import { safeErrorText } from '../../domain/safe-error-text.js';
import { mapLimit } from '../map-limit.js';
import { CheckFailedError } from '../runbook/gather-evidence.js';
import { performRepair, withRunId } from '../runbook/perform-repair.js';

export interface DecidedCheck {
  key: string;
  /** the record as the check read it */
  record: OrderRecord;
  decision: Decision;
}

export interface ClaimedCheck extends DecidedCheck {
  /** the record as saved with the decision */
  saved: OrderRecord;
}

export type ClaimOutcome =
  | { kind: 'claimed'; check: ClaimedCheck }
  | { kind: 'superseded' }
  | { kind: 'failed'; error: Error };

export interface ClaimAndRepairDeps {
  store: Pick<OrderRepository, 'save' | 'claimJobRun' | 'releaseJobRun'>;
  telemetry: Telemetry;
}

/** The claim behind a shop's window re-import: one run per cooldown serves every order missing within it. */
export const windowReimportJob = 'window-reimport';
const writeConcurrency = 5;

/**
 * "Claim and repair" the decisions of one shop's batch.
 *
 * 1. Window re-imports (the New Orders job): one run serves the whole batch and every order missing within the
 *    cooldown. The run is claimed per shop in the table, so concurrent batches start one; a run that cannot be
 *    started gives the claim back and fails its orders, whose checks SQS retries.
 * 2. Claim each decision with a version-conditional write — one order never gets two repairs. A lost race is
 *    `superseded`: the caller queues the check again, and it runs once more on the record as it now is.
 * 3. Then the repairs of single orders (refresh, per-order import). One that fails gives the claim back (state and
 *    attempts as before, check due now) and fails its message so SQS retries.
 */
export const claimAndRepair = async (
  deps: ClaimAndRepairDeps,
  shop: ShopContext,
  decided: readonly DecidedCheck[],
  now: number,
): Promise<Map<string, ClaimOutcome>> => {
  const outcomes = new Map<string, ClaimOutcome>();
  const fail = (key: string, error: Error) => outcomes.set(key, { kind: 'failed', error });

  const reimports = decided.filter(({ decision }) => decision.action?.kind === 'reimport');
  const windowScope = shop.hotwax.capabilities.reimportScope === 'window';
  if (windowScope && reimports.length > 0) {
    const claim = await deps.store.claimJobRun(
      shop.shop,
      windowReimportJob,
      now,
      shop.settings.reimportCooldownMs,
    );
    if (claim.claimed) {
      try {
        const run = await shop.hotwax.reimport({
          orders: reimports.map(({ record }) => ({
            shopifyOrderId: record.orderId,
            updatedAt: record.updatedAt,
          })),
        });
        deps.telemetry.info('Re-import run requested', {
          orders: reimports.length,
          run: run.detail,
          runId: run.runId,
        });
        // HotWax's id of the run goes on the record, so the verify can ask HotWax how the run went.
        if (run.runId) {
          for (const { decision } of reimports) {
            decision.record = withRunId(decision.record, run.runId);
            const last = decision.events.at(-1);
            if (last) last.detail = { ...last.detail, runId: run.runId };
          }
        }
      } catch (error) {
        await deps.store.releaseJobRun(shop.shop, windowReimportJob, now).catch(() => {});
        for (const { key } of reimports)
          fail(key, new CheckFailedError('Starting the re-import run failed', { cause: error }));
      }
    } else {
      for (const { decision } of reimports) {
        const last = decision.events.at(-1);
        if (last) last.message += servedByEarlierRun(claim.lastRunAt);
      }
    }
  }

  await mapLimit(
    decided.filter(({ key }) => !outcomes.has(key)),
    writeConcurrency,
    async (check) => {
      const { key, record, decision } = check;
      const saved = await deps.store
        .save(decision.record, { expectedVersion: record.version, events: decision.events, now })
        .catch((error: unknown) => ({ result: 'error' as const, error }));
      if (saved.result === 'error')
        return fail(key, saved.error instanceof Error ? saved.error : new Error(String(saved.error)));
      if (saved.result !== 'saved') return outcomes.set(key, { kind: 'superseded' });

      const { action } = decision;
      const single = action && (action.kind === 'refresh' || !windowScope);
      if (single) {
        try {
          await performRepair(shop.hotwax, action, record);
        } catch (error) {
          await giveClaimBack(
            deps,
            record,
            saved.record,
            `Could not trigger the ${action.kind}: ${safeErrorText(String(error))}; retrying.`,
            now,
          );
          return fail(key, new CheckFailedError(`${action.kind} failed`, { cause: error }));
        }
      }
      outcomes.set(key, { kind: 'claimed', check: { ...check, saved: saved.record } });
    },
  );
  return outcomes;
};

/** State and attempt count as before, check due now: SQS's retry of the message finds it due. */
const giveClaimBack = async (
  deps: ClaimAndRepairDeps,
  before: OrderRecord,
  claimed: OrderRecord,
  message: string,
  now: number,
) => {
  const reverted = await deps.store
    .save(
      { ...before, nextCheckAt: now },
      {
        expectedVersion: claimed.version,
        events: [{ at: now, type: 'repair.failed', state: before.state, message }],
        now,
      },
    )
    .catch(() => undefined);
  if (!reverted) deps.telemetry.error('Could not revert a failed repair claim', { orderId: before.orderId });
};
