import type { z } from 'zod';
import { ConfigError, localSchema } from '../shared/config/config.js';
import { parseShops } from '../shared/config/shops.js';

type Env = Record<string, string | undefined>;

/**
 * Parses the settings a local command needs, for every shop (SHOPS_FILE, or the environment's one shop), and lists
 * every problem at once, in the words a person reads in a terminal, followed by where to set them.
 */
export const parseForPeople = <S extends z.ZodType>(schema: S, env: Env, hint: string): z.infer<S> => {
  const [first] = parseShopsForPeople(schema, env, hint);
  return first as z.infer<S>;
};

/** Every shop's configuration, or a ConfigError listing every problem of every shop. */
export const parseShopsForPeople = <S extends z.ZodType>(schema: S, env: Env, hint: string): z.infer<S>[] => {
  const parsed = parseOrList(schema, env);
  if (parsed.problems.length > 0) throw new ConfigError([...parsed.problems, hint]);
  return parsed.configs as z.infer<S>[];
};

/** Every shop's configuration, or every problem with it in a person's words (for `doctor`, which reports and goes on). */
export const parseOrList = <S extends z.ZodType>(
  schema: S,
  env: Env,
):
  | { config: z.infer<S>; configs: z.infer<S>[]; problems: [] }
  | { config: undefined; configs: undefined; problems: string[] } => {
  try {
    const configs = parseShops(schema, env).map(({ config }) => config);
    return { config: configs[0] as z.infer<S>, configs, problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // zod's type message adds nothing to "is missing" for a person.
    const problems = error.problems.map((problem) =>
      problem.replace(/: Invalid input: expected \w+, received undefined$/, ''),
    );
    return { config: undefined, configs: undefined, problems: [...new Set(problems)] };
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
