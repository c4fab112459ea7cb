/**
 * In AWS, secrets live in Secrets Manager: `CONFIG_SECRET_ARNS` lists secrets whose JSON keys are named like the
 * environment variables (e.g. `{"SHOPIFY_WEBHOOK_SECRET": "…"}`). Their values are merged over the environment so
 * one zod schema validates local and AWS configuration alike. Powertools caches each secret for `maxAgeSeconds`.
 */
export const loadEnv = async (
  env: Record<string, string | undefined> = process.env,
  maxAgeSeconds = 300,
): Promise<Record<string, string | undefined>> => {
  const arns = (env.CONFIG_SECRET_ARNS ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  if (arns.length === 0) return env;
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const merged = { ...env };
  for (const arn of arns) {
    const values = (await getSecret(arn, { transform: 'json', maxAge: maxAgeSeconds })) as Record<
      string,
      unknown
    >;
    for (const [key, value] of Object.entries(values ?? {})) {
      if (value !== undefined && value !== null && value !== '') merged[key] = String(value);
    }
  }
  return merged;
};
