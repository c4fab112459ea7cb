import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { metricNamespace, serviceName } from '../domain/metric-names.js';
import { createPowertoolsTelemetry } from './powertools-telemetry.js';

/** One logger and one metrics instance per function, created at module scope. */
export const createObservability = () => {
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ namespace: metricNamespace, serviceName });
  return { logger, metrics, telemetry: createPowertoolsTelemetry({ logger, metrics }) };
};
