import { Tracer } from '@aws-lambda-powertools/tracer';
import type { CaptureClient } from '../adapters/aws/clients.js';
import { serviceName } from '../domain/metric-names.js';

/**
 * Powertools Tracer for the functions off the webhook's hot path (checker, notifier, sweeper, API): X-Ray segments
 * for the handler and every AWS SDK call. The webhook function does without it: importing the X-Ray SDK costs
 * ~90 ms of cold start there, and Lambda's active tracing still records its invocations.
 */
export const createTracing = () => {
  const tracer = new Tracer({ serviceName });
  const capture: CaptureClient = <T>(client: T): T => tracer.captureAWSv3Client(client as never) as T;
  return { tracer, capture };
};
