import { ConfigError, doctorSchema } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { parseShops } from '../../shared/config/shops.js';
import { createObservability } from '../../shared/observability/powertools.js';
import type { DoctorDeps } from '../../shared/use-cases/doctor/doctor.js';
import { createDoctorDeps } from '../../shared/wiring/doctor.js';

export const { logger } = createObservability();

const source = 'the function environment and the secrets in CONFIG_SECRET_ARNS';

/**
 * Built per invocation, not at cold start: doctor is run right after a person fixed a setting or a secret, and a
 * configuration that does not parse is its first line, not a failed start. Secrets are read fresh (no cache).
 */
export const doctorDeps = async (): Promise<DoctorDeps> => {
  const env = await loadEnv(process.env, 0);
  try {
    const shops = parseShops(doctorSchema, env).map(({ config }) => config);
    return createDoctorDeps(shops, { configurationSource: source }, { logger });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return createDoctorDeps(undefined, {
      configurationSource: source,
      configurationProblems: error.problems,
    });
  }
};
