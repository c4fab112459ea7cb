import type { MiddlewareObj } from '@middy/core';
import type { CaptureClient } from '../adapters/aws/clients.js';
import { serviceName } from '../domain/metric-names.js';

export interface Tracing {
  /** X-Ray capture of an SDK client; the client itself where nothing is traced */
  capture: CaptureClient;
  /** the handler's segment (Powertools' `captureLambdaHandler`), for middy's `use`; none where untraced */
  middlewares: () => MiddlewareObj[];
}

/**
 * Where Powertools Tracer traces, by its own rule: in a Lambda execution environment (`AWS_EXECUTION_ENV`), not under
 * SAM's or Amplify's local emulation, unless `POWERTOOLS_TRACE_ENABLED` is `false`.
 */
export const tracingEnabled = (env: NodeJS.ProcessEnv = process.env): boolean => {
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return (
    executionEnv !== '' &&
    executionEnv !== 'AWS_Lambda_amplify-mock' &&
    !env.AWS_SAM_LOCAL &&
    (env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() !== 'false'
  );
};

const untraced: Tracing = { capture: (client) => client, middlewares: () => [] };

/**
 * Powertools Tracer for the functions off the webhook's hot path (checker, notifier, sweeper, API, Slack): X-Ray
 * segments for the handler and every AWS SDK call. Loaded only where it traces: importing it loads the X-Ray SDK,
 * whose context tracking (cls-hooked) puts an async hook on every promise of the process, traced or not — in
 * `npm start`, which runs every handler in one process, that made each `await` many times dearer (the webhook path
 * included) for traces nobody records there. The webhook function does without it in Lambda too: importing the X-Ray
 * SDK costs ~90 ms of cold start there, and Lambda's active tracing still records its invocations.
 */
export const createTracing = async (env: NodeJS.ProcessEnv = process.env): Promise<Tracing> => {
  if (!tracingEnabled(env)) return untraced;
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
    import('@aws-lambda-powertools/tracer'),
    import('@aws-lambda-powertools/tracer/middleware'),
  ]);
  const tracer = new Tracer({ serviceName });
  return {
    capture: <T>(client: T): T => tracer.captureAWSv3Client(client as never) as T,
    middlewares: () => [captureLambdaHandler(tracer)],
  };
};
