/**
 * A shop's import lag — the time from an order's creation in Shopify to its first appearance in HotWax — as a
 * compact histogram: counts in buckets that grow by a quarter each (1 s … about 10 h in 48 buckets), so one small
 * item per shop holds it and any percentile reads within 25 %. Realtime Maarg imports land in seconds, an OFBiz
 * New Orders job every 15 minutes spreads them over a quarter of an hour; the first check waits for what the shop
 * itself shows, not a fixed 10 minutes.
 */

/** counts per bucket index (sparse), and their total */
export interface ImportLagSketch {
  counts: Readonly<Record<string, number>>;
  total: number;
}

const firstBoundMs = 1_000;
const growth = 1.25;
export const lagBucketCount = 48;

/** The bucket of a lag: 0 holds everything up to 1 s, the last one everything beyond ~10 h. */
export const lagBucketOf = (lagMs: number): number => {
  if (!(lagMs > firstBoundMs)) return 0;
  const index = Math.ceil(Math.log(lagMs / firstBoundMs) / Math.log(growth));
  return Math.min(lagBucketCount - 1, index);
};

/** The upper bound of a bucket (the lag a percentile in it reads as: never shorter than the lags it holds). */
export const lagBucketUpperMs = (index: number): number => firstBoundMs * growth ** index;

export const emptyLagSketch = (): ImportLagSketch => ({ counts: {}, total: 0 });

/** Adds lags to a sketch (pure; the table adds them atomically the same way). */
export const addLags = (sketch: ImportLagSketch, lagsMs: readonly number[]): ImportLagSketch => {
  const counts: Record<string, number> = { ...sketch.counts };
  for (const lag of lagsMs) {
    const key = String(lagBucketOf(lag));
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return { counts, total: sketch.total + lagsMs.length };
};

/**
 * Halves every count once the sketch holds more than `maxSamples`: old lags fade, so a shop that moves from a
 * 15-minute job to realtime import is seen within a few thousand orders.
 */
export const decayed = (sketch: ImportLagSketch, maxSamples: number): ImportLagSketch | undefined => {
  if (sketch.total <= maxSamples) return undefined;
  const counts: Record<string, number> = {};
  let total = 0;
  for (const [key, count] of Object.entries(sketch.counts)) {
    const half = Math.floor(count / 2);
    if (half > 0) {
      counts[key] = half;
      total += half;
    }
  }
  return { counts, total };
};

/** The lag below which `percentile` % of the sketch's orders arrived (the bucket's upper bound). */
export const lagPercentileMs = (sketch: ImportLagSketch, percentile: number): number | undefined => {
  if (sketch.total <= 0) return undefined;
  const rank = Math.ceil((percentile / 100) * sketch.total);
  let seen = 0;
  for (let index = 0; index < lagBucketCount; index++) {
    seen += sketch.counts[String(index)] ?? 0;
    if (seen >= rank) return lagBucketUpperMs(index);
  }
  return lagBucketUpperMs(lagBucketCount - 1);
};

export interface FirstCheckPolicy {
  /** CHECK_DELAY_SECONDS: the first check is never earlier than this */
  floorMs: number;
  /** CHECK_DELAY_MAX_SECONDS: nor later than this, whatever the shop shows */
  ceilingMs: number;
  /** a high percentile: a repair for an order that would have arrived anyway is a needless re-import */
  percentile: number;
  /** the margin: this much, or a quarter of the lag when that is less (lags of seconds get seconds) */
  marginMs: number;
  /** fewer in-sync orders than this: nothing learned yet (today's fixed delay) */
  minSamples: number;
}

/**
 * How long after an order's creation the monitor waits before it calls the order missing: the shop's high
 * percentile lag plus a margin, within [floor, ceiling]; undefined until the shop has shown enough orders.
 */
export const learnedFirstCheckMs = (
  sketch: ImportLagSketch | undefined,
  policy: FirstCheckPolicy,
): number | undefined => {
  if (!sketch || sketch.total < policy.minSamples) return undefined;
  const lag = lagPercentileMs(sketch, policy.percentile);
  if (lag === undefined) return undefined;
  const margin = Math.min(policy.marginMs, lag / 4);
  return Math.round(Math.min(policy.ceilingMs, Math.max(policy.floorMs, lag + margin)));
};
