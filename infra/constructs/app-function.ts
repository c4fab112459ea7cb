import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { metricNamespace, serviceName } from '../../shared/domain/metric-names.js';

import { esmRequireBanner, projectRoot } from './bundling.js';

export { projectRoot };

export interface AppFunctionProps {
  /** The handler file, relative to the repository root, e.g. `functions/webhook/handler.ts` (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  /** @default 512 — on ARM64 this buys enough CPU for a quick cold start of the bundled SDK clients. */
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  /** @default one month */
  readonly logRetention?: RetentionDays;
  /** @default DESTROY — logs belong to the stateless stack and expire through the retention anyway. */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default none — reserving concurrency fails to deploy in accounts with the default limit of 10. */
  readonly reservedConcurrentExecutions?: number;
  /**
   * The shops file (`-c shopsFile=…`): copied into the bundle as `shops.json`, and SHOPS_FILE points at it. A file in
   * the bundle, not an environment variable, so it has no 4 KB limit and changes with the code it belongs to.
   */
  readonly shopsFile?: string;
  /** esbuild aliases (module → file), e.g. `webhookBundleAliases`; @default none */
  readonly bundleAliases?: Readonly<Record<string, string>>;
}

/** Where a bundled shops file is in the Lambda runtime (the bundle is unpacked into LAMBDA_TASK_ROOT). */
export const bundledShopsFile = '/var/task/shops.json';

const copyShopsFile = (path: string) => ({
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir: string, outputDir: string) => [`cp "${path}" "${outputDir}/shops.json"`],
});

/**
 * A Lambda function with this project's defaults: Node 24 on ARM64, X-Ray active tracing, its own log group with a
 * retention, source maps, and ESM bundling with local esbuild (no Docker).
 *
 * Everything is bundled, the AWS SDK included (`externalModules: []`): the functions run the SDK versions the
 * tests ran against rather than whatever the runtime ships, and a minified, tree-shaken bundle loads faster at
 * cold start than resolving the runtime's full SDK from disk.
 *
 * The role carries no AWS managed policy: it may write only to its own log group (created here, so the function
 * needs no `logs:CreateLogGroup`); every other permission is granted by the stack.
 */
export class AppFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}: ${props.description}`,
    });
    logGroup.grantWrite(role);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level ' +
        'permissions; test/infra asserts that X-Ray is the only Resource * statement in the stack.',
    });

    super(scope, id, {
      entry: `${projectRoot}${props.entry}`,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_METRICS_NAMESPACE: metricNamespace,
        ...(props.shopsFile ? { SHOPS_FILE: bundledShopsFile } : {}),
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        // Prefer packages' ESM builds so esbuild can tree-shake them.
        mainFields: ['module', 'main'],
        banner: esmRequireBanner,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // Source paths are enough for stack traces; embedding every dependency's source would double the asset.
        sourcesContent: false,
        externalModules: [],
        ...(props.bundleAliases && Object.keys(props.bundleAliases).length > 0
          ? {
              esbuildArgs: {
                '--alias': Object.entries(props.bundleAliases).map(([from, to]) => `${from}=${to}`),
              },
            }
          : {}),
        // Warnings still surface (e.g. a dependency esbuild cannot resolve); the per-file size table does not.
        logLevel: LogLevel.WARNING,
        ...(props.shopsFile ? { commandHooks: copyShopsFile(props.shopsFile) } : {}),
      },
    });
  }
}
