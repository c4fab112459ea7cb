import type { HotwaxSim } from '../../sim/hotwax/hotwax-sim.js';
import { simFallbackJobName } from '../../sim/hotwax/hotwax-sim.js';

/** Both shapes of HotWax tenant: every runbook test runs on each (`describe.each(backends)`). */
export const backends = ['ofbiz', 'maarg'] as const;
export type Backend = (typeof backends)[number];

/**
 * The HOTWAX_* environment of a monitor pointed at `sim` on the confirmed repair path: re-import by the window run
 * (the New Orders job, or Maarg's fallback sync), no per-order import service; the refresh service only when asked
 * (OFBiz's "Refresh order"; a Maarg tenant has none, whatever is configured).
 */
export const monitorEnv = (
  sim: HotwaxSim,
  options: { refresh?: boolean; auth?: 'login' | 'token' } = {},
): Record<string, string> => {
  const {
    HOTWAX_IMPORT_ORDER_SERVICE: _perOrder,
    HOTWAX_REFRESH_ORDER_SERVICE: refreshService,
    ...env
  } = sim.env(options.auth);
  return {
    ...env,
    ...(options.refresh && refreshService ? { HOTWAX_REFRESH_ORDER_SERVICE: refreshService } : {}),
  };
};

/** The calls that start a window re-import run on the simulator's tenant. */
export const reimportRunCalls = (sim: HotwaxSim): number =>
  sim.backend === 'maarg'
    ? sim.callCount(`admin/serviceJobs/${simFallbackJobName}/runNow`)
    : sim.callCount('scheduleService');

/** Sets (or, for undefined, removes) environment variables, as a fresh Lambda environment would have them. */
export const setEnv = (values: Record<string, string | undefined>): void => {
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
};
