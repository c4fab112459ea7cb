import { performance } from 'node:perf_hooks';
import { waitUntil } from '../test/fault/harness/monitor.js';
import { deliverLikeShopify, inParallel } from '../test/fault/harness/shopify-deliveries.js';
import { addOrders, createWorld } from '../test/fault/harness/world.js';
import { percentile, round } from './stats.js';

/**
 * `npm run bench -- local-ingest`: sustained webhook ingest through `npm start` (a child process, with its DynamoDB
 * Local and fauxqs) on this machine. `LOCAL_INGEST_ORDERS` orders/create deliveries (default 3,000) are sent as
 * Shopify sends them (signed, 5 s patience, retried on anything but a 2xx) with `LOCAL_INGEST_CONCURRENCY` in flight
 * (default 64); then every order must be recorded (no loss) and checked against the HotWax simulator (in_sync). The
 * checks run while the deliveries arrive (2 s delays), as they do when a sale goes on: the end-to-end rate, from the
 * first delivery to the last order checked, is what the machine sustains.
 */
export const benchLocalIngest = async (): Promise<Record<string, number | string>> => {
  const count = Number(process.env.LOCAL_INGEST_ORDERS ?? 3000);
  const concurrency = Number(process.env.LOCAL_INGEST_CONCURRENCY ?? 64);
  const world = await createWorld('ingest');
  try {
    const orders = await addOrders(world, count, { prefix: 'I' });
    const monitor = await world.start();
    const url = `${monitor.url}/webhooks/shopify`;
    const latencies: number[] = [];
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
    const ingestSeconds = (performance.now() - started) / 1000;
    const acknowledged = new Set(outcomes.filter((outcome) => outcome.acknowledged).map((o) => o.orderId));
    const checkedBy = performance.now();
    await waitUntil(async () => {
      const records = await monitor.records();
      return orders.every((order) => records.get(order.id)?.state === 'in_sync');
    }, 300_000);
    const checkedAt = performance.now();
    const records = await monitor.records();
    const lost = [...acknowledged].filter((id) => !records.has(id)).length;
    const checked = orders.filter((order) => records.get(order.id)?.state === 'in_sync').length;
    return {
      'deliveries (orders/create)': count,
      'in flight': concurrency,
      'webhooks per second, sustained': round(count / ingestSeconds, 1),
      'first attempts not 2xx': outcomes.filter((outcome) => outcome.first < 200 || outcome.first >= 300)
        .length,
      'acknowledged at last': acknowledged.size,
      'lost (acknowledged, no record)': lost,
      'checked (in_sync) at the end': checked,
      'seconds from the last delivery to every order checked': round((checkedAt - checkedBy) / 1000, 1),
      'orders checked per second, first delivery to last check': round(
        count / ((checkedAt - started) / 1000),
        1,
      ),
      'delivery latency p50 / p99 (ms)': `${round(percentile(latencies, 50))} / ${round(percentile(latencies, 99))}`,
    };
  } finally {
    await world.close();
  }
};
