import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createApp } from '../../infra/build-app.js';
import { actionsOf, deployContext, type Statement, synthTestApp } from './support/test-app.js';

let built: ReturnType<typeof synthTestApp>;

beforeAll(() => {
  // The app registers AwsSolutionsChecks itself, so this synth already fails on any unacknowledged error.
  built = synthTestApp();
});

const acknowledgements = (root: IConstruct) =>
  root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );

describe('cdk-nag AWS Solutions', () => {
  it('reports no unacknowledged finding, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    const findings = report.violations.map(
      (violation) =>
        `${violation.severity} ${violation.ruleName}: ${violation.violatingResources
          .map((resource) => resource.constructPath)
          .join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('is wired into the app: an unacknowledged finding fails synthesis', () => {
    const unsafe = buildApp(createApp({ context: { 'aws:cdk:bundling-stacks': [], ...deployContext } }));
    new Queue(unsafe.stateless, 'QueueWithoutDlqOrTls');
    expect(() => unsafe.app.synth()).toThrow(/AwsSolutions-SQS3/);
  });

  it('leaves no error annotation on either stack', () => {
    for (const stack of [built.stateful, built.stateless]) {
      expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual(
        [],
      );
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });

  it('gives every acknowledgement a specific reason', () => {
    const acks = acknowledgements(built.app).filter((ack) => ack.id.startsWith('AwsSolutions-'));
    expect(acks.map((ack) => ack.id).sort()).toEqual(
      [
        // webhook, health, the timeline page, /slack/actions, /slack/commands: authenticated by other means
        'AwsSolutions-APIG4',
        'AwsSolutions-APIG4',
        'AwsSolutions-APIG4',
        'AwsSolutions-APIG4',
        'AwsSolutions-APIG4',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::*]',
        // one per function: X-Ray's PutTraceSegments has no resource (webhook, api, checker, notifier, sweeper,
        // doctor, slack, slack replies)
        'AwsSolutions-IAM5[Resource::*]',
        `AwsSolutions-IAM5[Resource::${built.stateful.quarantineBucketArnExportName}/*]`,
        'AwsSolutions-S1',
        // webhook, credentials and Slack secrets (issued elsewhere), the timeline link key (rotating revokes links)
        'AwsSolutions-SMG4',
        'AwsSolutions-SMG4',
        'AwsSolutions-SMG4',
        'AwsSolutions-SMG4',
      ].sort(),
    );
    for (const ack of acks) expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(60);
  });

  it('keeps X-Ray as the only permission on Resource *, which the IAM5 acknowledgements rely on', () => {
    for (const template of [built.statefulTemplate, built.statelessTemplate]) {
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
      );
      const onEverything = statements.filter((statement) =>
        JSON.stringify(statement.Resource).includes('"*"'),
      );
      for (const statement of onEverything) {
        expect(actionsOf(statement).every((action) => action.startsWith('xray:'))).toBe(true);
      }
    }
  });
});
