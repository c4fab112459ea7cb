import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTracing, tracingEnabled } from '../../shared/observability/tracing.js';

const lambda = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };

describe('tracing', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('traces in a Lambda execution environment only, as Powertools Tracer decides', () => {
    expect(tracingEnabled(lambda)).toBe(true);
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'FALSE' })).toBe(false);
    expect(tracingEnabled({ ...lambda, POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(true);
    expect(tracingEnabled({ ...lambda, AWS_SAM_LOCAL: 'true' })).toBe(false);
    expect(tracingEnabled({ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' })).toBe(false);
  });

  it('leaves clients and handlers as they are where nothing is traced (npm start, tests, the CLI)', async () => {
    const tracing = await createTracing({});
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const steps = client.middlewareStack.identify().length;
    expect(tracing.capture(client)).toBe(client);
    expect(client.middlewareStack.identify()).toHaveLength(steps);
    expect(tracing.middlewares()).toEqual([]);
    client.destroy();
  });

  it('captures every SDK call and the handler in Lambda', async () => {
    // Powertools Tracer reads the process's environment itself.
    vi.stubEnv('AWS_EXECUTION_ENV', lambda.AWS_EXECUTION_ENV);
    const tracing = await createTracing(process.env);
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const steps = client.middlewareStack.identify().length;
    tracing.capture(client);
    expect(client.middlewareStack.identify().length).toBeGreaterThan(steps);
    const [middleware, ...others] = tracing.middlewares();
    expect(others).toEqual([]);
    expect(middleware?.before).toBeTypeOf('function');
    expect(middleware?.after).toBeTypeOf('function');
    client.destroy();
  });
});
