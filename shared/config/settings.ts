import type { ShopSettings } from '../domain/ports.js';
import type { RetrySchedule } from '../domain/retry-schedule.js';
import type { RunbookSettings } from '../domain/runbook/settings.js';
import { type SweepSettings, sweepLimits } from '../domain/sweep-window.js';
import {
  importLagLearning,
  type RetryConfig,
  type SweepConfig,
  sweepFields,
  type TimingConfig,
  timingFields,
} from './config.js';

/**
 * The settings each part of the monitor gets, from validated configuration (seconds in the environment, ms in the
 * domain). The defaults are the schema's (`config.ts`); nothing here declares one.
 */

/** Waiting on a person backs off to at most this, or to the first re-check when that is longer. */
const longestRecheckMs = 6 * 3_600_000;

export const runbookSettingsFromConfig = (config: TimingConfig): RunbookSettings => ({
  createdStuckAfterMs: config.CREATED_STUCK_AFTER_SECONDS * 1000,
  fulfilledGraceMs: config.FULFILLED_CHECK_DELAY_SECONDS * 1000,
  verifyDelayMs: config.VERIFY_DELAY_SECONDS * 1000,
  maxRepairAttempts: config.MAX_REPAIR_ATTEMPTS,
  recheckMs: config.BLOCKED_RECHECK_SECONDS * 1000,
  maxRecheckMs: Math.max(config.BLOCKED_RECHECK_SECONDS * 1000, longestRecheckMs),
});

type CheckDelayConfig = Pick<TimingConfig, 'CHECK_DELAY_SECONDS' | 'FULFILLED_CHECK_DELAY_SECONDS'>;

/** The delays of an order's first check, after orders/create and after orders/fulfilled. */
export const checkDelaysFromConfig = (config: CheckDelayConfig) => ({
  checkDelayMs: config.CHECK_DELAY_SECONDS * 1000,
  fulfilledCheckDelayMs: config.FULFILLED_CHECK_DELAY_SECONDS * 1000,
});

export const shopSettingsFromConfig = (config: TimingConfig): ShopSettings => ({
  ...runbookSettingsFromConfig(config),
  ...checkDelaysFromConfig(config),
  reimportCooldownMs: config.IMPORT_JOB_COOLDOWN_SECONDS * 1000,
  firstCheck: {
    floorMs: config.CHECK_DELAY_SECONDS * 1000,
    ceilingMs: Math.max(config.CHECK_DELAY_SECONDS, config.CHECK_DELAY_MAX_SECONDS) * 1000,
    percentile: importLagLearning.percentile,
    marginMs: importLagLearning.marginSeconds * 1000,
    minSamples: importLagLearning.minSamples,
  },
});

/** One shop's sweep: its windows and watchdog from SWEEP_* and the subscription settings, its check delays. */
export const sweepSettingsFromConfig = (
  config: SweepConfig & CheckDelayConfig & { SHOPIFY_SHOP: string },
): SweepSettings => ({
  ...sweepLimits,
  ...checkDelaysFromConfig(config),
  shop: config.SHOPIFY_SHOP,
  intervalMs: config.SWEEP_INTERVAL_SECONDS * 1000,
  overlapMs: config.SWEEP_OVERLAP_SECONDS * 1000,
  lookbackMs: config.SWEEP_LOOKBACK_SECONDS * 1000,
  maxWindowMs: config.SWEEP_MAX_WINDOW_SECONDS * 1000,
  settleMs: config.SWEEP_SETTLE_SECONDS * 1000,
  overdueGraceMs: config.OVERDUE_GRACE_SECONDS * 1000,
  restoreSubscriptions: config.RESTORE_WEBHOOK_SUBSCRIPTIONS,
  webhookCallbackUrl: config.WEBHOOK_CALLBACK_URL,
});

/** The settings at the schema's defaults, for tests and benchmarks. */
const defaults = { ...timingFields.parse({}), ...sweepFields.parse({}) };
export const defaultShopSettings: ShopSettings = shopSettingsFromConfig(defaults);
export const defaultSweepSettings: Omit<SweepSettings, 'shop'> = sweepSettingsFromConfig({
  ...defaults,
  SHOPIFY_SHOP: '',
});

/** The retry schedule of the queues a function consumes. */
export const retryScheduleFromConfig = (config: RetryConfig): RetrySchedule => ({
  firstDelaySeconds: config.RETRY_FIRST_DELAY_SECONDS,
  maxDelaySeconds: config.RETRY_MAX_DELAY_SECONDS,
  maxReceiveCount: config.RETRY_MAX_RECEIVE_COUNT,
});
