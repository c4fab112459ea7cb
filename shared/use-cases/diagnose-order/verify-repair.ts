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
import { clockSlackMs, isSince, lastRepairRunId } from '../../domain/runbook/evidence.js';
import type { RepairAction } from '../../domain/runbook/repairs.js';
import { inGroup, type SyncState } from '../../domain/states.js';
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
 * fresh failed import record names it or HotWax says the re-import run failed (waiting longer will not help), the
 * order needs a person instead of a repair, or time is up. Each look is judged by the same assessment and decision
 * table as the checker's verify check.
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
      const { assessment, needs } = assessOrder(record, versions, at, settings);
      last = { assessment, versions };
      lastError = undefined;
      // A fresh failed record: the re-import ran and failed again, waiting longer will not help.
      const failure =
        assessment.kind === 'absent' && action.kind === 'reimport'
          ? (
              await hotwax.findImportFailures({
                since: repairedAt - clockSlackMs,
                shopifyOrderIds: [record.orderId],
              })
            ).get(record.orderId)
          : undefined;
      const freshFailure =
        failure && isSince(failure, repairedAt) && failure.logId !== params.previousFailure?.logId
          ? failure
          : undefined;
      const runId = needs.reimportRun ? lastRepairRunId(record) : undefined;
      const reimportRun =
        runId && hotwax.reimportRunOutcome
          ? { runId, outcome: await hotwax.reimportRunOutcome(runId) }
          : undefined;
      const next = decide(
        record,
        assessment,
        {
          versions,
          shopify: params.snapshot,
          ...(freshFailure ? { importFailure: freshFailure } : {}),
          ...(reimportRun ? { reimportRun } : {}),
        },
        judge(at),
      );
      const said = next.events.at(-1)?.message ?? '';
      const finding = next.record.finding
        ? { finding: findingView(next.record.finding), fix: next.record.finding.fix }
        : {};
      if (inGroup(next.record.state, 'healthy')) {
        return {
          verified: true,
          state: next.record.state,
          outcome: said || 'In HotWax as expected.',
          versions,
        };
      }
      if (freshFailure) {
        return {
          verified: false,
          state: next.record.state,
          outcome: `The re-import failed again (failed-import log ${freshFailure.logId}).`,
          versions,
          ...finding,
        };
      }
      if (reimportRun?.outcome === 'failed') {
        return {
          verified: false,
          state: record.state,
          outcome: `HotWax's run ${reimportRun.runId} of the re-import failed, so the re-import did not happen; run the diagnosis with --repair again, or read the run's error in HotWax.`,
          versions,
        };
      }
      // Not a repair any more (several live orders, HotWax's own decision): a person's verdict, not a wait.
      if (!next.action) {
        return { verified: false, state: next.record.state, outcome: said, versions, ...finding };
      }
      params.onProgress?.(
        assessment.kind === 'absent'
          ? 'Not in HotWax yet…'
          : assessment.kind === 'stuck'
            ? `HotWax order ${assessment.live.orderId} is ${assessment.live.statusId}…`
            : said,
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
    : last?.assessment.kind === 'stuck'
      ? `HotWax order ${last.assessment.live.orderId} is still ${last.assessment.live.statusId}`
      : 'the order is still not in HotWax';
  return {
    verified: false,
    state: record.state,
    outcome: `Not verified within ${Math.round(params.timeoutMs / 1000)} s: ${seen}. The repair may still land; run the diagnosis again later.`,
    ...(last ? { versions: last.versions } : {}),
  };
};
