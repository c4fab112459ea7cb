import type { z } from 'zod';
import { ConfigError, localSchema, parseConfig } from '../shared/config/config.js';

type Env = Record<string, string | undefined>;

/**
 * Parses the settings a local command needs and lists every problem at once, in the words a person reads in a
 * terminal, followed by where to set them.
 */
export const parseForPeople = <S extends z.ZodType>(schema: S, env: Env, hint: string): z.infer<S> => {
  const parsed = parseOrList(schema, env);
  if (parsed.problems.length > 0) throw new ConfigError([...parsed.problems, hint]);
  return parsed.config as z.infer<S>;
};

/** The configuration, or every problem with it in a person's words (for `doctor`, which reports and goes on). */
export const parseOrList = <S extends z.ZodType>(
  schema: S,
  env: Env,
): { config: z.infer<S>; problems: [] } | { config: undefined; problems: string[] } => {
  try {
    return { config: parseConfig(schema, env), problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // zod's type message adds nothing to "is missing" for a person.
    const problems = error.problems.map((problem) =>
      problem.replace(/: Invalid input: expected \w+, received undefined$/, ''),
    );
    return { config: undefined, problems: [...new Set(problems)] };
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
