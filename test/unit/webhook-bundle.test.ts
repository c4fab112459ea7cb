import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the webhook function bundle', () => {
  it('verifies deliveries with node:crypto alone: no Shopify Admin API library in it', async () => {
    // The same bundling as the CDK AppFunction; only the inputs are looked at.
    const result = await build({
      entryPoints: ['functions/webhook/handler.ts'],
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      mainFields: ['module', 'main'],
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('functions/webhook/handler.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('@shopify/'))).toEqual([]);
  });
});
