import { Duration } from 'aws-cdk-lib';
import { Metric, type MetricOptions, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { type MetricName, metricNamespace, serviceName } from '../../shared/domain/metric-names.js';

/**
 * One of the monitor's own EMF metrics, read with the [service] dimension set every metric is emitted with (the
 * [service, shop, channel] set would split the series per shop).
 */
export const syncMetric = (metricName: MetricName, options: MetricOptions = {}): Metric =>
  new Metric({
    namespace: metricNamespace,
    metricName,
    dimensionsMap: { service: serviceName },
    statistic: Stats.SUM,
    period: Duration.minutes(5),
    ...options,
  });

/** The same metric of one shop: the [service, shop] set the telemetry emits beside the others. */
export const shopMetric = (metricName: MetricName, shop: string, options: MetricOptions = {}): Metric =>
  syncMetric(metricName, { ...options, dimensionsMap: { service: serviceName, shop } });
