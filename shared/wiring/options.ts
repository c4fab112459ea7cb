import type { AwsClientOptions, CaptureClient } from '../adapters/aws/clients.js';
import type { HotwaxRepairJournal } from '../domain/ports.js';

/** How a caller adjusts what a factory builds, besides replacing a dependency outright. */
export interface WiringOptions {
  /** X-Ray capture of the SDK clients (the functions that run Powertools Tracer) */
  capture?: CaptureClient;
  /** explicit AWS credentials (the local emulators'); otherwise the SDK's default chain */
  credentials?: AwsClientOptions['credentials'];
  /** where adapters' warnings go: Powertools' logger in Lambda, stderr in the CLI */
  logger?: AdapterLogger;
  /** where a Maarg re-import journals the job parameters it swaps (DynamoDB in deployments) */
  repairJournal?: HotwaxRepairJournal;
}

export interface AdapterLogger {
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  /** one-off facts worth a line at start, e.g. which HotWax backend was discovered */
  info?(message: string, ...attributes: Record<string, unknown>[]): void;
}

/** A factory's second argument: any dependency replaced, and the wiring options. */
export type Overrides<Deps> = Partial<Deps> & WiringOptions;

export const awsOptions = (options: WiringOptions): AwsClientOptions => ({
  ...(options.capture ? { capture: options.capture } : {}),
  ...(options.credentials ? { credentials: options.credentials } : {}),
});

/** Keeps the dependencies of `overrides`, dropping the wiring options. */
export const replaced = <Deps>(overrides: Overrides<Deps>): Partial<Deps> => {
  const {
    capture: _capture,
    credentials: _credentials,
    logger: _logger,
    repairJournal: _journal,
    ...deps
  } = overrides;
  return deps as Partial<Deps>;
};

/** A factory's configuration: one shop's, or every shop's (the first holds the deployment-wide settings). */
export const listOf = <C>(configs: C | readonly C[]): readonly C[] =>
  Array.isArray(configs) ? (configs as readonly C[]) : [configs as C];
