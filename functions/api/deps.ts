import { apiSchema, parseConfig } from '../../shared/config/config.js';
import { loadEnv } from '../../shared/config/load-env.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { createApiDeps } from '../../shared/wiring/api.js';

export const { logger } = createObservability();
export const tracing = await createTracing();
const { capture } = tracing;
// The timeline page's link key comes from its own secret (CONFIG_SECRET_ARNS); the rest reads only the table.
export const deps = createApiDeps(parseConfig(apiSchema, await loadEnv()), { capture });
