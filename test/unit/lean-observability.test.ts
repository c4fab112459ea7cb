import { describe, expect, it } from 'vitest';
import { MetricName } from '../../shared/domain/metric-names.js';
import { createLeanObservability } from '../../shared/observability/lean-observability.js';

const context = {
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:1:function:webhook',
  memoryLimitInMB: '1024',
  functionName: 'webhook',
  awsRequestId: 'req-1',
} as never;

describe("the webhook function's logs and metrics", () => {
  it('writes JSON log lines with the Lambda context, and EMF documents on the service dimension set', () => {
    const lines: string[] = [];
    const { telemetry, middleware } = createLeanObservability({
      env: { POWERTOOLS_LOG_LEVEL: 'INFO' },
      write: (line) => lines.push(line),
      now: () => 1_700_000_000_000,
    });
    const mw = middleware();
    mw.before({ context });
    telemetry.info('Webhook recorded', { shop: 'a.myshopify.com', orderId: '1' });
    telemetry.count(MetricName.WebhooksReceived, 1, { shop: 'a.myshopify.com', channel: 'web' });
    telemetry.count(MetricName.WebhooksReceived);
    mw.after();
    const [log, single, invocation] = lines.map((line) => JSON.parse(line));
    expect(log).toMatchObject({
      level: 'INFO',
      message: 'Webhook recorded',
      service: 'order-sync-monitor',
      cold_start: true,
      function_request_id: 'req-1',
      shop: 'a.myshopify.com',
    });
    expect(single._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'OrderSyncMonitor',
      Dimensions: [['service', 'shop', 'channel']],
      Metrics: [{ Name: 'WebhooksReceived', Unit: 'Count' }],
    });
    expect(invocation._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
    expect(invocation).toMatchObject({ service: 'order-sync-monitor', WebhooksReceived: [1, 1] });
  });

  it('keeps below-threshold lines and disabled metrics out', () => {
    const lines: string[] = [];
    const { telemetry, middleware } = createLeanObservability({
      env: { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
      write: (line) => lines.push(line),
    });
    telemetry.warn('not shown');
    telemetry.count(MetricName.WebhooksReceived);
    middleware().after();
    telemetry.error('shown', { error: new Error('boom') });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'shown',
        error: expect.objectContaining({ message: 'boom' }),
      }),
    ]);
  });
});
