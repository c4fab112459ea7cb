import type { CheckStatus, DoctorCheck, ExplainFailure } from './doctor-ports.js';

export type Outcome = { status: CheckStatus; detail: string };

/** Collects the checks of one part (one shop's HotWax, Slack, …) in the order they ran. */
export const checkList = (explain: ExplainFailure, shop?: string) => {
  const checks: DoctorCheck[] = [];
  const add = (id: string, label: string, outcome: Outcome) => {
    checks.push({ id, label, ...(shop ? { shop } : {}), ...outcome });
  };
  return {
    checks,
    add,
    /** Runs one check; a thrown error becomes its line in the adapter's words. Resolves to whether it was ok. */
    async run(id: string, label: string, work: () => Promise<Outcome>): Promise<boolean> {
      let outcome: Outcome;
      try {
        outcome = await work();
      } catch (error) {
        outcome = explain(error);
      }
      add(id, label, outcome);
      return outcome.status === 'ok' || outcome.status === 'skipped';
    },
    /** The checks that could not run because an earlier one failed: listed, so nothing looks proven that is not. */
    skip(items: ReadonlyArray<readonly [id: string, label: string]>, reason: string) {
      for (const [id, label] of items)
        add(id, label, { status: 'skipped', detail: `not checked: ${reason}` });
    },
  };
};

export const ok = (detail: string): Outcome => ({ status: 'ok', detail });
export const attention = (detail: string): Outcome => ({ status: 'attention', detail });
