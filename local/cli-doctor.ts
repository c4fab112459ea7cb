import type { Command } from 'commander';
import { localRuntimeFields, localSchema } from '../shared/config/config.js';
import { loadEnv } from '../shared/config/load-env.js';
import { type DoctorCheck, type DoctorReport, runDoctor } from '../shared/use-cases/doctor/doctor.js';
import { createDoctorDeps } from '../shared/wiring/doctor.js';
import { localDataDir, readEndpoints } from './local-aws.js';
import { createLocalProbe } from './local-probe.js';
import { parseOrList } from './validate-config.js';

type Env = Record<string, string | undefined>;

export const doctorHelp = `
Each line is one dependency: ok, or what is wrong and how to fix it. Doctor only reads: it runs no HotWax job,
creates no Shopify subscription and posts nothing to Slack.

Exit codes:
  0  every check passed (skipped ones are optional, e.g. Slack not configured)
  1  something needs attention in HotWax, Shopify, Slack or on this machine (a job, a scope, a subscription, …)
  2  configuration: a setting is missing or wrong, or HotWax, Shopify or Slack refused the credentials
  3  HotWax, Shopify or Slack could not be reached: try again later
When several apply, the first in the order 2, 3, 1 wins.`;

const marks: Record<DoctorCheck['status'], string> = {
  ok: 'ok',
  attention: 'ATTENTION',
  config: 'CONFIG',
  unreachable: 'UNREACHABLE',
  skipped: 'skipped',
};

const wrap = (text: string, width: number): string[] => {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines;
};

/** The report as a person reads it: one line per check (wrapped under itself), grouped by shop. */
export const formatDoctorReport = (report: DoctorReport, columns = 120): string[] => {
  const labelWidth = Math.max(...report.checks.map((check) => check.label.length));
  const indent = 2 + 12 + labelWidth + 2;
  const width = Math.max(40, Math.min(columns, 140) - indent);
  const out: string[] = [];
  let group: string | undefined = '';
  for (const check of report.checks) {
    const heading = check.shop ?? (check.id.startsWith('local.') ? 'This machine' : undefined);
    if (heading !== group && heading) out.push(heading);
    group = heading;
    wrap(check.detail, width).forEach((line, index) => {
      out.push(
        index === 0
          ? `  ${marks[check.status].padEnd(12)}${check.label.padEnd(labelWidth + 2)}${line}`
          : `${' '.repeat(indent)}${line}`,
      );
    });
  }
  out.push('', `${report.summary} (exit ${report.exitCode})`);
  return out;
};

/**
 * `npm run cli -- doctor`: the configuration `npm start` would use (`.env`, the environment, secrets named in
 * CONFIG_SECRET_ARNS, or the running sandbox's), every dependency checked read-only, and this machine.
 */
export const runDoctorCommand = async (
  options: { json?: boolean },
  context: { env?: Env; source: string },
): Promise<number> => {
  const env = await loadEnv(context.env ?? process.env);
  const parsed = parseOrList(localSchema, env);
  const running = (() => {
    try {
      return readEndpoints(env);
    } catch {
      return undefined;
    }
  })();
  const port = localRuntimeFields.shape.PORT.safeParse(env.PORT).data ?? 3000;
  const deps = createDoctorDeps(
    parsed.configs,
    {
      configurationProblems: parsed.problems,
      configurationSource: context.source,
      local: createLocalProbe({ port, dataDir: localDataDir(env), runningMonitorUrl: running?.url }),
    },
    { logger: { warn: () => {} } },
  );
  const report = await runDoctor(deps, { now: Date.now() });
  const print = (line: string) => process.stdout.write(`${line}\n`);
  if (options.json) print(JSON.stringify(report, null, 2));
  else {
    print('Doctor: every dependency of the monitor, read-only.');
    print('');
    for (const line of formatDoctorReport(report, process.stdout.columns ?? 120)) print(line);
  }
  return report.exitCode;
};

/** Adds `doctor` to the operator's CLI (local/cli.ts). */
export const doctorCommand = (
  program: Command,
  context: { source: () => string; setExitCode: (code: number) => void },
): void => {
  program
    .command('doctor')
    .description(
      'Prove a configuration before deploying or repairing anything: HotWax, Shopify, Slack and this machine, one line each, read-only.',
    )
    .option('--json', 'print the checks as JSON')
    .addHelpText('after', doctorHelp)
    .action(async (options: { json?: boolean }) => {
      context.setExitCode(await runDoctorCommand(options, { source: context.source() }));
    });
};
