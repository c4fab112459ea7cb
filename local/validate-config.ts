import type { z } from 'zod';
import { ConfigError, localSchema, parseConfig } from '../shared/config/config.js';

type Env = Record<string, string | undefined>;

/**
 * Parses the settings a local command needs and lists every problem at once, in the words a person reads in a
 * terminal, followed by where to set them.
 */
export const parseForPeople = <S extends z.ZodType>(schema: S, env: Env, hint: string): z.infer<S> => {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // zod's type message adds nothing to "is missing" for a person.
    const problems = error.problems.map((problem) =>
      problem.replace(/: Invalid input: expected \w+, received undefined$/, ''),
    );
    throw new ConfigError([...new Set(problems), hint]);
  }
};

/**
 * Checks every setting a local run against a real HotWax and Shopify needs (the AWS resource settings are the
 * emulators', so they are not asked for).
 */
export const validateLocalConfig = (env: Env): void => {
  parseForPeople(
    localSchema,
    env,
    'See .env.example for every setting; leave HotWax and Shopify unset to run the built-in sandbox instead.',
  );
};
