import type { Context } from 'aws-lambda';
import { type MetricName, metricNamespace, serviceName } from '../domain/metric-names.js';
import type { Telemetry } from '../domain/ports.js';

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const rank: Record<string, number> = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 };
type Unit = 'Count' | 'Seconds';

export interface LeanObservabilityOptions {
  env?: Record<string, string | undefined>;
  /** one line of JSON; Lambda sends stdout to CloudWatch Logs, where EMF lines become metrics */
  write?: (line: string) => void;
  now?: () => number;
}

const errorDetail = (value: unknown) =>
  value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;

/**
 * Structured logs and metrics for the webhook function, in the shapes Powertools' Logger and Metrics write (the same
 * keys, the same EMF documents, the same dimension sets, the same `POWERTOOLS_*` switches), without their ~40 KiB:
 * the function Shopify waits on does a handful of log lines and counters per delivery. The other functions keep
 * Powertools. Details are what the use case hands over (shop, topic, ids): no personal data reaches these lines.
 *
 * Every metric goes to the [service] dimension set that alarms read; one with extra dimensions (shop, channel) is
 * also written on its own, as Powertools' `singleMetric()` does, so dashboards can split by them.
 */
export const createLeanObservability = (options: LeanObservabilityOptions = {}) => {
  const env = options.env ?? process.env;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const service = env.POWERTOOLS_SERVICE_NAME || serviceName;
  const namespace = env.POWERTOOLS_METRICS_NAMESPACE || metricNamespace;
  const threshold =
    rank[(env.POWERTOOLS_LOG_LEVEL || env.AWS_LAMBDA_LOG_LEVEL || 'INFO').toUpperCase()] ?? 12;
  const metricsOn = env.POWERTOOLS_METRICS_DISABLED?.toLowerCase() !== 'true';

  let context: Record<string, unknown> = {};
  let coldStart = true;
  const pending = new Map<string, { unit: Unit; values: number[] }>();

  const log = (level: Level, message: string, detail: Record<string, unknown> = {}) => {
    if ((rank[level] ?? 0) < threshold) return;
    const extra = Object.fromEntries(Object.entries(detail).map(([key, value]) => [key, errorDetail(value)]));
    write(
      JSON.stringify({
        level,
        message,
        timestamp: new Date(now()).toISOString(),
        service,
        ...context,
        ...(env._X_AMZN_TRACE_ID ? { xray_trace_id: env._X_AMZN_TRACE_ID.split(';')[0]?.slice(5) } : {}),
        ...extra,
      }),
    );
  };

  const emf = (metrics: Array<[string, Unit, number | number[]]>, dimensions: Record<string, string> = {}) =>
    write(
      JSON.stringify({
        _aws: {
          Timestamp: now(),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [['service', ...Object.keys(dimensions)]],
              Metrics: metrics.map(([name, unit]) => ({ Name: name, Unit: unit })),
            },
          ],
        },
        service,
        ...dimensions,
        ...Object.fromEntries(metrics.map(([name, , value]) => [name, value])),
      }),
    );

  const emit = (name: MetricName, unit: Unit, value: number, dimensions?: Record<string, string>) => {
    if (!metricsOn) return;
    const entry = pending.get(name) ?? { unit, values: [] };
    entry.values.push(value);
    pending.set(name, entry);
    if (dimensions && Object.keys(dimensions).length > 0) emf([[name, unit, value]], dimensions);
  };

  /** Writes the invocation's metrics as one EMF document (Powertools' `logMetrics` does it after the handler). */
  const flush = () => {
    if (pending.size === 0) return;
    emf(
      [...pending].map(([name, { unit, values }]) => [
        name,
        unit,
        values.length === 1 ? (values[0] as number) : values,
      ]),
    );
    pending.clear();
  };

  const telemetry: Telemetry = {
    count: (name, value = 1, dimensions) => emit(name, 'Count', value, dimensions),
    value: (name, value, dimensions) => emit(name, 'Seconds', value, dimensions),
    info: (message, detail) => log('INFO', message, detail),
    warn: (message, detail) => log('WARN', message, detail),
    error: (message, detail) => log('ERROR', message, detail),
  };

  /** middy middleware: the Lambda context on every log line (as `injectLambdaContext`), metrics flushed after. */
  const middleware = () => ({
    before: (request: { context: Context }) => {
      const { context: lambda } = request;
      context = {
        cold_start: coldStart,
        function_arn: lambda.invokedFunctionArn,
        function_memory_size: Number(lambda.memoryLimitInMB),
        function_name: lambda.functionName,
        function_request_id: lambda.awsRequestId,
      };
      coldStart = false;
    },
    after: flush,
    onError: flush,
  });

  return { telemetry, middleware, flush };
};
