import type { TestProject } from 'vitest/node';
import { type Emulators, startEmulators } from '../../local/emulators.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

let emulators: Emulators | undefined;

/** One DynamoDB Local and one fauxqs for the whole run, on free ports; stopped afterwards. */
export async function setup(project: TestProject): Promise<void> {
  emulators = await startEmulators();
  project.provide('dynamoEndpoint', emulators.dynamoEndpoint);
  project.provide('sqsEndpoint', emulators.sqsEndpoint);
}

export async function teardown(): Promise<void> {
  await emulators?.stop();
}
