import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricName } from '../domain/metric-names.js';
import type { Telemetry } from '../domain/ports.js';

/**
 * Telemetry over Powertools. Every metric goes to the [service] dimension set that alarms read; one with extra
 * dimensions (shop, channel) is also emitted on its own so dashboards can split by them, and once more with the
 * shop alone, the set the per-shop alarms read.
 */
export const createPowertoolsTelemetry = ({
  logger,
  metrics,
}: {
  logger: Logger;
  metrics: Metrics;
}): Telemetry => {
  const emit = (
    name: MetricName,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    dimensions?: Record<string, string>,
  ) => {
    metrics.addMetric(name, unit, value);
    if (dimensions && Object.keys(dimensions).length > 0) {
      const single = metrics.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
      single.addMetric(name, unit, value);
      // The per-shop alarms and widgets read [service, shop] alone, whatever else (channel, flow) split the series.
      if (dimensions.shop && Object.keys(dimensions).length > 1) {
        const byShop = metrics.singleMetric();
        byShop.addDimension('shop', dimensions.shop);
        byShop.addMetric(name, unit, value);
      }
    }
  };
  return {
    count: (name, value = 1, dimensions) => emit(name, MetricUnit.Count, value, dimensions),
    value: (name, value, dimensions) => emit(name, MetricUnit.Seconds, value, dimensions),
    info: (message, detail) => logger.info(message, detail ?? {}),
    warn: (message, detail) => logger.warn(message, detail ?? {}),
    error: (message, detail) => logger.error(message, detail ?? {}),
  };
};
