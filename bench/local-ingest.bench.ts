import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { type RunningMonitor, waitUntil } from '../test/fault/harness/monitor.js';
import { deliverLikeShopify, inParallel } from '../test/fault/harness/shopify-deliveries.js';
import { addOrders, createWorld, type FaultOrder, type World } from '../test/fault/harness/world.js';
import { groupCpuMs, machineCpuMs, ownCpuMs } from './process-cpu.js';
import { percentile, round } from './stats.js';

/** One burst of orders/create deliveries, then every order of it checked: its figures. */
const burst = async (
  world: World,
  monitor: RunningMonitor,
  orders: readonly FaultOrder[],
  concurrency: number,
) => {
  const url = `${monitor.url}/webhooks/shopify`;
  const latencies: number[] = [];
  const outputBefore = monitor.output().length;
  const group = monitor.child.pid ?? 0;
  const cpuBefore = { group: groupCpuMs(group), own: ownCpuMs(), machine: machineCpuMs() };
  const started = performance.now();
  const outcomes = await inParallel(
    orders.map((order) => async () => {
      const begin = performance.now();
      const outcome = await deliverLikeShopify({
        url,
        topic: 'orders/create',
        shop: world.shop,
        secret: world.secret,
        body: JSON.stringify(order.payload),
        orderId: order.id,
      });
      latencies.push(performance.now() - begin);
      return outcome;
    }),
    concurrency,
  );
  const delivered = performance.now();
  const cpuAfter = { group: groupCpuMs(group), own: ownCpuMs(), machine: machineCpuMs() };
  // Waiting reads npm start's terminal, which prints a line whenever an order's state changes: scanning the table
  // every second instead kept DynamoDB Local at half a core, slowing the very checks being waited for. The one scan
  // below verifies every record and names any order not in sync.
  const names = new Set(orders.map((order) => order.name));
  const inSync = new Set<string>();
  let read = outputBefore;
  await waitUntil(() => {
    const fresh = monitor.output().slice(read);
    const complete = fresh.lastIndexOf('\n') + 1;
    read += complete;
    for (const line of fresh.slice(0, complete).split('\n')) {
      const name = / (#\S+) +\S+ +(?:\S+ → )?in_sync /.exec(line)?.[1];
      if (name && names.has(name)) inSync.add(name);
    }
    return inSync.size >= names.size;
  }, 300_000);
  const checkedAt = performance.now();
  const records = await monitor.records();
  for (const order of orders.filter((candidate) => records.get(candidate.id)?.state !== 'in_sync'))
    process.stderr.write(`not checked: ${order.id} ${JSON.stringify(records.get(order.id) ?? null)}\n`);
  const acknowledged = new Set(outcomes.filter((outcome) => outcome.acknowledged).map((o) => o.orderId));
  return {
    webhooksPerSecond: round(orders.length / ((delivered - started) / 1000), 1),
    notFirstTime: outcomes.filter((outcome) => outcome.first < 200 || outcome.first >= 300).length,
    acknowledged: acknowledged.size,
    lost: [...acknowledged].filter((id) => !records.has(id)).length,
    checked: orders.filter((order) => records.get(order.id)?.state === 'in_sync').length,
    drainSeconds: round((checkedAt - delivered) / 1000, 1),
    endToEnd: round(orders.length / ((checkedAt - started) / 1000), 1),
    latency: `${round(percentile(latencies, 50))} / ${round(percentile(latencies, 99))}`,
    cpu: cpuPerWebhook(cpuBefore, cpuAfter, orders.length, delivered - started),
  };
};

type CpuSnapshot = {
  group: Map<string, number> | undefined;
  own: number;
  machine: ReturnType<typeof machineCpuMs>;
};

/**
 * Where the machine's CPU went during a burst's deliveries, per webhook: `npm start`'s Node process, its DynamoDB
 * Local, and this bench (Shopify's deliveries and the simulators the checks call). CPU time is what a noisy shared
 * machine disturbs least: the rate moved by a third between runs of one commit, the CPU per webhook far less.
 */
const cpuPerWebhook = (before: CpuSnapshot, after: CpuSnapshot, count: number, wallMs: number) => {
  if (!before.group || !after.group) return undefined;
  const spent = (command: string) => (after.group?.get(command) ?? 0) - (before.group?.get(command) ?? 0);
  // Node names its processes after their main thread (`MainThread`); tsx's esbuild service is idle by then.
  const java = spent('java');
  const jit = spent('java JIT');
  const node = [...after.group.keys()]
    .filter((command) => !command.startsWith('java'))
    .reduce((sum, command) => sum + spent(command), 0);
  const own = after.own - before.own;
  const stolen =
    before.machine && after.machine
      ? (after.machine.steal - before.machine.steal) / (after.machine.total - before.machine.total)
      : undefined;
  return {
    perWebhook: `${round(node / count)} / ${round(java / count)} / ${round(own / count)}`,
    jit: `${round((100 * jit) / java, 1)} %`,
    cores: round((node + java + own) / wallMs),
    // What the machine's cores sustain at this CPU per webhook, every core the monitor's and none stolen (Shopify's
    // side of the deliveries runs elsewhere in life, so the bench's own share is left out).
    capacity: round((availableParallelism() * 1000 * count) / (node + java), 1),
    ...(stolen === undefined ? {} : { stolen: `${round(stolen * 100, 1)} %` }),
  };
};

/**
 * `npm run bench -- local-ingest`: sustained webhook ingest through `npm start` (a child process, with its DynamoDB
 * Local and fauxqs) on this machine. `LOCAL_INGEST_ORDERS` orders/create deliveries (default 3,000) are sent as
 * Shopify sends them (signed, 5 s patience, retried on anything but a 2xx) with `LOCAL_INGEST_CONCURRENCY` in flight
 * (default 64); then every order must be recorded (no loss) and checked against the HotWax simulator (in_sync). The
 * checks run while the deliveries arrive (2 s delays), as they do when a sale goes on: the end-to-end rate, from the
 * first delivery to the last order checked, is what the machine sustains.
 *
 * A monitor that has run for a while is measured: `LOCAL_INGEST_WARMUP` orders (default 1,000) go first, through the
 * same path, and are printed apart — a freshly started DynamoDB Local spends much of its first minute compiling
 * itself (its JIT threads took 60 % of its CPU in that minute here), which a store's monitor running for days does not.
 */
export const benchLocalIngest = async (): Promise<Record<string, number | string>> => {
  const count = Number(process.env.LOCAL_INGEST_ORDERS ?? 3000);
  const warmup = Number(process.env.LOCAL_INGEST_WARMUP ?? 1000);
  const concurrency = Number(process.env.LOCAL_INGEST_CONCURRENCY ?? 64);
  const world = await createWorld('ingest');
  try {
    const first = await addOrders(world, warmup, { prefix: 'W' });
    const orders = await addOrders(world, count, { prefix: 'I' });
    const monitor = await world.start();
    const cold = warmup > 0 ? await burst(world, monitor, first, concurrency) : undefined;
    const warm = await burst(world, monitor, orders, concurrency);
    return {
      'deliveries (orders/create), after the warm-up': count,
      'in flight': concurrency,
      'webhooks per second, sustained': warm.webhooksPerSecond,
      'orders checked per second, first delivery to last check': warm.endToEnd,
      'seconds from the last delivery to every order checked': warm.drainSeconds,
      'first attempts not 2xx': warm.notFirstTime,
      'acknowledged at last': warm.acknowledged,
      'lost (acknowledged, no record)': warm.lost,
      'checked (in_sync) at the end': warm.checked,
      'delivery latency p50 / p99 (ms)': warm.latency,
      ...(warm.cpu
        ? {
            'CPU per webhook (ms): npm start / its DynamoDB Local / this bench': warm.cpu.perWebhook,
            "DynamoDB Local's share spent compiling itself (JIT)": warm.cpu.jit,
            'cores busy during the deliveries': `${warm.cpu.cores} of ${availableParallelism()}`,
            ...(warm.cpu.stolen
              ? { "the machine's CPU time taken by its host (steal) meanwhile": warm.cpu.stolen }
              : {}),
            'webhooks per second the cores sustain at that CPU (npm start and DynamoDB Local)':
              warm.cpu.capacity,
          }
        : {}),
      ...(cold
        ? {
            'warm-up deliveries (a fresh npm start)': warmup,
            'warm-up: webhooks per second / checked per second': `${cold.webhooksPerSecond} / ${cold.endToEnd}`,
            'warm-up: lost / checked': `${cold.lost} / ${cold.checked}`,
          }
        : {}),
    };
  } finally {
    await world.close();
  }
};
