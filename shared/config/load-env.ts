/** Reads one secret's JSON object, cached for `maxAgeSeconds`. */
export type SecretReader = (
  arn: string,
  maxAgeSeconds: number,
) => Promise<Record<string, unknown> | undefined>;

/** Powertools Parameters (Secrets Manager client, cache): every function but the webhook's. */
const powertoolsSecret: SecretReader = async (arn, maxAgeSeconds) => {
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  return (await getSecret(arn, { transform: 'json', maxAge: maxAgeSeconds })) as
    | Record<string, unknown>
    | undefined;
};

/**
 * In AWS, secrets live in Secrets Manager: `CONFIG_SECRET_ARNS` lists secrets whose JSON keys are named like the
 * environment variables (e.g. `{"SHOPIFY_WEBHOOK_SECRET": "…"}`). Their values are merged over the environment so
 * one zod schema validates local and AWS configuration alike. Each secret is cached for `maxAgeSeconds`.
 */
export const loadEnv = (
  env: Record<string, string | undefined> = process.env,
  maxAgeSeconds = 300,
): Promise<Record<string, string | undefined>> => mergeSecrets(env, maxAgeSeconds, powertoolsSecret);

/** `loadEnv` with the reader given: the webhook function reads its one secret without the SDK client. */
export const mergeSecrets = async (
  env: Record<string, string | undefined>,
  maxAgeSeconds: number,
  read: SecretReader,
): Promise<Record<string, string | undefined>> => {
  const arns = (env.CONFIG_SECRET_ARNS ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  if (arns.length === 0) return env;
  const merged = { ...env };
  for (const arn of arns) {
    const values = await read(arn, maxAgeSeconds);
    for (const [key, value] of Object.entries(values ?? {})) {
      if (value !== undefined && value !== null && value !== '') merged[key] = String(value);
    }
  }
  return merged;
};
