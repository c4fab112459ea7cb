import type { CheckSettings } from '../domain/decide-check.js';
import type { CheckerConfig } from './config.js';

type DecisionConfig = Pick<
  CheckerConfig,
  | 'CREATED_STUCK_AFTER_SECONDS'
  | 'FULFILLED_CHECK_DELAY_SECONDS'
  | 'VERIFY_DELAY_SECONDS'
  | 'MAX_REPAIR_ATTEMPTS'
  | 'BLOCKED_RECHECK_SECONDS'
  | 'HOTWAX_REFRESH_ORDER_SERVICE'
  | 'HOTWAX_IMPORT_ORDER_SERVICE'
>;

/** The decision table's settings from validated configuration (seconds in the environment, ms in the domain). */
export const checkSettingsFromConfig = (config: DecisionConfig): CheckSettings => ({
  createdStuckAfterMs: config.CREATED_STUCK_AFTER_SECONDS * 1000,
  fulfilledGraceMs: config.FULFILLED_CHECK_DELAY_SECONDS * 1000,
  verifyDelayMs: config.VERIFY_DELAY_SECONDS * 1000,
  maxRepairAttempts: config.MAX_REPAIR_ATTEMPTS,
  recheckMs: config.BLOCKED_RECHECK_SECONDS * 1000,
  maxRecheckMs: Math.max(config.BLOCKED_RECHECK_SECONDS * 1000, 6 * 3_600_000),
  canRefresh: Boolean(config.HOTWAX_REFRESH_ORDER_SERVICE),
  canImportOrder: Boolean(config.HOTWAX_IMPORT_ORDER_SERVICE),
});

/** The checker's settings: the decision table's plus the batch-level ones. */
export const checkerSettingsFromConfig = (
  config: CheckerConfig,
): CheckSettings & { importJobCooldownMs: number; syncSloSeconds: number } => ({
  ...checkSettingsFromConfig(config),
  importJobCooldownMs: config.IMPORT_JOB_COOLDOWN_SECONDS * 1000,
  syncSloSeconds: 1800,
});
