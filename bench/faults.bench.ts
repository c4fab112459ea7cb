import {
  type FaultFigures,
  garbageAndPii,
  hotwaxOutage,
  killedMidLoad,
  redeliveryStorm,
  slackOutage,
} from '../test/fault/harness/scenarios.js';

/**
 * `npm run bench -- faults`: the fault suite's scenarios (test/fault/harness), one fresh `npm start` each, with their
 * figures printed instead of asserted. Sizes and outage lengths can be changed: FAULT_STORM_ORDERS,
 * FAULT_CRASH_ORDERS, FAULT_HOTWAX_OUTAGE_SECONDS, FAULT_SLACK_DOWN_SECONDS; FAULT_ONLY picks scenarios by name
 * (storm, crash, hotwax, slack, garbage; comma-separated).
 */
const number = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);

const scenarios: Record<string, () => Promise<FaultFigures>> = {
  storm: () => redeliveryStorm({ ...optional('orders', number('FAULT_STORM_ORDERS')) }),
  crash: () => killedMidLoad({ ...optional('orders', number('FAULT_CRASH_ORDERS')) }),
  hotwax: () => hotwaxOutage({ ...optional('outageSeconds', number('FAULT_HOTWAX_OUTAGE_SECONDS')) }),
  slack: () => slackOutage({ ...optional('downSeconds', number('FAULT_SLACK_DOWN_SECONDS')) }),
  garbage: () => garbageAndPii(),
};

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

const percent = (share: number | undefined) => (share === undefined ? '–' : `${(share * 100).toFixed(1)} %`);
const orDash = (value: number | undefined) => (value === undefined ? '–' : String(value));

export const benchFaults = async (): Promise<void> => {
  const only = process.env.FAULT_ONLY?.split(',').map((name) => name.trim());
  const rows: FaultFigures[] = [];
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && !only.includes(name)) continue;
    process.stdout.write(`running ${name}…\n`);
    rows.push(await run());
  }
  const header = [
    'fault',
    'orders',
    'lost',
    'stuck',
    'alerts lost/doubled',
    'early Slack calls',
    'dead-lettered',
    'recovery → all in sync (s)',
    '503 share (not 2xx)',
    'other',
  ];
  const lines = rows.map((row) => [
    row.fault,
    String(row.orders),
    String(row.lost),
    String(row.stuck),
    row.alertsDue === undefined ? '–' : `${row.alertsLost}/${row.alertsDoubled} of ${row.alertsDue}`,
    orDash(row.earlySlackCalls),
    orDash(row.deadLettered),
    orDash(row.recoverySeconds),
    row.shareNot2xx === undefined
      ? percent(row.share503)
      : `${percent(row.share503)} (${percent(row.shareNot2xx)})`,
    row.requests !== undefined
      ? `${row.requests} requests, ${row.fiveXx} 5xx, ${row.unexpected?.length ?? 0} off-contract, ${row.unauthenticatedStored} unauthenticated stored, ${row.piiFound?.length ?? 0} PII found`
      : row.retried !== undefined
        ? `${row.retried} deliveries retried by Shopify`
        : '',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)),
  );
  const format = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  process.stdout.write(`\nFaults (npm start against DynamoDB Local, fauxqs and the simulators)\n`);
  process.stdout.write(`${format(header)}\n${format(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const line of lines) process.stdout.write(`${format(line)}\n`);
  for (const row of rows) {
    if (row.stuckOrders.length > 0 || (row.piiFound?.length ?? 0) > 0) {
      process.stdout.write(
        `\n${row.fault}: ${JSON.stringify({ stuck: row.stuckOrders, pii: row.piiFound })}\n`,
      );
    }
  }
};
