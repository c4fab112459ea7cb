import { setTimeout as sleep } from 'node:timers/promises';
import type { OrderRecord } from '../../domain/order-sync.js';
import type {
  Clock,
  HotwaxOrder,
  ImportFailure,
  ShopContext,
  ShopifyOrderSnapshot,
} from '../../domain/ports.js';
import { type Assessment, assessOrder } from '../../domain/runbook/assess.js';
import { decide } from '../../domain/runbook/decide.js';
import { clockSlackMs, isSince } from '../../domain/runbook/evidence.js';
import type { RepairAction } from '../../domain/runbook/repairs.js';
import type { SyncState } from '../../domain/states.js';
import { type DiagnosisFinding, findingView } from './diagnosis.js';

export interface Verification {
  verified: boolean;
  state: SyncState;
  outcome: string;
  versions?: readonly HotwaxOrder[];
  finding?: DiagnosisFinding;
  fix?: string;
}

/**
 * The diagnosis's verify loop: looks at HotWax every few seconds until the order is there in the expected state, a
 * fresh failed import record names it (waiting longer will not help), or time is up. Each look is judged by the
 * same assessment and decision table as the checker's verify check.
 */
export const verifyRepair = async (
  shop: ShopContext,
  params: {
    /** the record as the checker keeps it after requesting the repair */
    record: OrderRecord;
    action: RepairAction;
    snapshot: ShopifyOrderSnapshot;
    clock: Clock;
    previousFailure: ImportFailure | undefined;
    timeoutMs: number;
    pollIntervalMs: number;
    onProgress?: ((message: string) => void) | undefined;
  },
): Promise<Verification> => {
  const { hotwax, settings } = shop;
  const { record, action, clock } = params;
  const deadline = clock.now() + params.timeoutMs;
  const repairedAt = record.lastRepairAt ?? clock.now();
  const judge = (at: number) => ({ now: at, settings, capabilities: hotwax.capabilities });
  let last: { assessment: Assessment; versions: readonly HotwaxOrder[] } | undefined;
  let lastError: string | undefined;

  for (let attempt = 0; ; attempt++) {
    // Repairs often land within seconds: look early, then settle to the interval.
    await sleep(Math.min(params.pollIntervalMs, 1000 * 2 ** attempt, Math.max(0, deadline - clock.now())));
    const at = clock.now();
    try {
      const versions = (await hotwax.findOrdersByShopifyIds([record.orderId])).get(record.orderId) ?? [];
      const { assessment } = assessOrder(record, versions, at, settings);
      last = { assessment, versions };
      lastError = undefined;
      if (assessment.kind === 'in_sync') {
        const done = decide(record, assessment, { versions }, judge(at));
        return {
          verified: true,
          state: done.record.state,
          outcome: done.events.at(-1)?.message ?? 'In HotWax as expected.',
          versions,
        };
      }
      if (assessment.kind === 'absent' && action.kind === 'reimport') {
        const failure = (
          await hotwax.findImportFailures({
            since: repairedAt - clockSlackMs,
            shopifyOrderIds: [record.orderId],
          })
        ).get(record.orderId);
        if (failure && isSince(failure, repairedAt) && failure.logId !== params.previousFailure?.logId) {
          const next = decide(
            record,
            assessment,
            { versions, shopify: params.snapshot, importFailure: failure },
            judge(at),
          );
          const finding = next.record.finding;
          return {
            verified: false,
            state: next.record.state,
            outcome: `The re-import failed again (MDM log ${failure.logId}).`,
            versions,
            ...(finding ? { finding: findingView(finding), fix: finding.fix } : {}),
          };
        }
      }
      params.onProgress?.(
        assessment.kind === 'absent'
          ? 'Not in HotWax yet…'
          : `HotWax order ${assessment.live.orderId} is ${assessment.live.statusId}…`,
      );
    } catch (error) {
      // One failed look is no verdict; HotWax may answer the next one.
      lastError = error instanceof Error ? error.message : String(error);
      params.onProgress?.(`HotWax did not answer (${lastError}); trying again…`);
    }
    if (clock.now() >= deadline) break;
  }

  const seen = lastError
    ? `HotWax did not answer the last look (${lastError})`
    : !last || last.assessment.kind === 'absent'
      ? 'the order is still not in HotWax'
      : `HotWax order ${last.assessment.live.orderId} is still ${last.assessment.live.statusId}`;
  return {
    verified: false,
    state: record.state,
    outcome: `Not verified within ${Math.round(params.timeoutMs / 1000)} s: ${seen}. The repair may still land; run the diagnosis again later.`,
    ...(last ? { versions: last.versions } : {}),
  };
};
