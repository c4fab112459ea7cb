import { checkHotwax } from './check-hotwax.js';
import { checkLocal } from './check-local.js';
import { checkShopify } from './check-shopify.js';
import { checkSlack } from './check-slack.js';
import type { CheckStatus, DoctorCheck, DoctorDeps } from './doctor-ports.js';

export type { CheckStatus, DoctorCheck, DoctorDeps } from './doctor-ports.js';

/** The same exit codes as the other commands. */
export const doctorExitCodes = { ok: 0, attention: 1, config: 2, unreachable: 3 } as const;
export type DoctorExitCode = (typeof doctorExitCodes)[keyof typeof doctorExitCodes];

export interface DoctorReport {
  /** 0 all ok · 1 something needs attention · 2 configuration · 3 unreachable (a configuration problem wins, since
   *  retrying cannot fix it; then an outage; then the rest) */
  exitCode: DoctorExitCode;
  /** one line for people */
  summary: string;
  checks: DoctorCheck[];
}

const severity: ReadonlyArray<[CheckStatus, DoctorExitCode]> = [
  ['config', doctorExitCodes.config],
  ['unreachable', doctorExitCodes.unreachable],
  ['attention', doctorExitCodes.attention],
];

const summarise = (checks: readonly DoctorCheck[]): Pick<DoctorReport, 'exitCode' | 'summary'> => {
  const count = (status: CheckStatus) => checks.filter((check) => check.status === status).length;
  const exitCode = severity.find(([status]) => count(status) > 0)?.[1] ?? doctorExitCodes.ok;
  const oks = count('ok');
  if (exitCode === doctorExitCodes.ok)
    return {
      exitCode,
      summary: `All ${oks} checks passed${count('skipped') ? ` (${count('skipped')} skipped)` : ''}.`,
    };
  const parts = [
    count('config') && `${count('config')} configuration`,
    count('unreachable') && `${count('unreachable')} unreachable`,
    count('attention') && `${count('attention')} need attention`,
  ].filter(Boolean);
  return { exitCode, summary: `${parts.join(', ')}; ${oks} ok.` };
};

/**
 * `doctor`: proves a configuration, read-only, before anything is deployed or repaired.
 * 1. The configuration parses (every problem at once); if not, nothing else that needs it is asked.
 * 2. For every shop of the directory: HotWax (backend and URL, reachable, credentials, order lookup, import jobs,
 *    import configs, approval) and Shopify (token, API version, access scopes, order read, subscriptions),
 *    the shops side by side.
 * 3. Slack: the token and the channel, or the incoming webhook's URL, without posting.
 * 4. This machine, for a local run: Java 17+, a free port, a writable data directory.
 * It writes to none of them: no job run, no subscription created, no message posted.
 */
export const runDoctor = async (deps: DoctorDeps, input: { now: number }): Promise<DoctorReport> => {
  const checks: DoctorCheck[] = [];
  const problems = deps.configurationProblems;
  checks.push({
    id: 'config',
    label: 'Configuration',
    ...(problems.length === 0
      ? { status: 'ok', detail: `Every setting parses (from ${deps.configurationSource}).` }
      : {
          status: 'config',
          detail: `${problems.length} problem${problems.length === 1 ? '' : 's'} (from ${deps.configurationSource}): ${problems.join('; ')}`,
        }),
  });
  const perShop = await Promise.all(
    deps.shops.list().map(async (shop) => {
      const probes = deps.probesFor(shop);
      const [hotwax, shopify] = await Promise.all([
        checkHotwax(shop, probes.hotwax, deps.explain),
        checkShopify(shop, probes, deps.explain, input.now),
      ]);
      return [...hotwax, ...shopify];
    }),
  );
  const [slack, local] = await Promise.all([
    deps.slack ? checkSlack(deps.slack, deps.explain) : Promise.resolve([]),
    deps.local ? checkLocal(deps.local, deps.explain) : Promise.resolve([]),
  ]);
  checks.push(...perShop.flat(), ...slack, ...local);
  return { ...summarise(checks), checks };
};
