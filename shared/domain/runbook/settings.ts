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
  /**
   * learned from the shop's import lag: an order not in HotWax this long after its creation is missing; before
   * that its first check waits (unset: nothing learned yet, the first check decides, as with a fixed delay)
   */
  awaitImportMs?: number;
}
