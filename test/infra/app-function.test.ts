import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFunction } from '../../infra/constructs/app-function.js';

let outdir: string;
let bundle: string;
let template: Template;

beforeAll(() => {
  // The one test that really bundles (with the local esbuild, no Docker), on a tiny fixture.
  outdir = mkdtempSync(join(tmpdir(), 'app-function-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Fixture');
  new AppFunction(stack, 'Fixture', {
    entry: 'test/infra/fixtures/esm-handler.ts',
    description: 'bundling fixture',
    timeout: Duration.seconds(5),
  });
  const assembly = app.synth();
  template = Template.fromJSON(assembly.getStackByName('Fixture').template);
  const assetDir = readdirSync(assembly.directory).find((name) => name.startsWith('asset.'));
  bundle = join(assembly.directory, assetDir ?? 'missing', 'index.mjs');
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('AppFunction', () => {
  it('bundles an ES module with a source map', () => {
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler' });
  });

  it('lets bundled CommonJS dependencies require Node built-ins from the ESM bundle', async () => {
    expect(readFileSync(bundle, 'utf8')).toMatch(/^import \{ createRequire as __appCreateRequire \}/);
    const { handler } = await import(pathToFileURL(bundle).href);
    await expect(handler()).resolves.toEqual({ parsed: { GREETING: 'hello' } });
  });

  it('fixes the runtime defaults: Node 24, ARM64, tracing, own log group with retention, memory', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Timeout: 5,
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('grants its role log writes on its own log group only, without AWS managed policies', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0]?.Properties.ManagedPolicyArns).toBeUndefined();
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy'));
    const logs = policy?.Properties.PolicyDocument.Statement.find((statement: { Action: string[] }) =>
      statement.Action.includes('logs:PutLogEvents'),
    );
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FixtureLogs/), 'Arn'] });
  });
});
