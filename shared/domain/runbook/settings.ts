/** The runbook's timings and limits for one shop (ms in the domain; seconds in the environment). */
export interface RunbookSettings {
  /** how long Created is normal */
  createdStuckAfterMs: number;
  /** how long after Shopify's fulfilment HotWax may still show Created */
  fulfilledGraceMs: number;
  /** between a repair and the check that verifies it */
  verifyDelayMs: number;
  /** repairs before escalation */
  maxRepairAttempts: number;
  /** first re-check of an order waiting on a person; doubles up to `maxRecheckMs` */
  recheckMs: number;
  maxRecheckMs: number;
}
