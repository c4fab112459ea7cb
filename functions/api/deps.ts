import { apiSchema, parseConfig } from '../../shared/config/config.js';
import { createObservability } from '../../shared/observability/powertools.js';
import { createTracing } from '../../shared/observability/tracing.js';
import { createApiDeps } from '../../shared/wiring/api.js';

export const { logger } = createObservability();
export const { tracer, capture } = createTracing();
export const { store, shop } = createApiDeps(parseConfig(apiSchema, process.env), { capture });
