import type { HotwaxPort } from '../../domain/ports.js';
import type { Decision } from '../../domain/runbook/decide.js';

/**
 * Keeps the HotWax order's link for people on the record (the Slack card, the timeline page): only the shop's port
 * knows its tenant's URL, and the functions that show it have no HotWax configuration.
 */
export const withHotwaxLink = (decision: Decision, hotwax: Pick<HotwaxPort, 'orderUrl'>): Decision => {
  const summary = decision.record.hotwax;
  if (!summary || summary.url) return decision;
  try {
    return {
      ...decision,
      record: { ...decision.record, hotwax: { ...summary, url: hotwax.orderUrl(summary.orderId) } },
    };
  } catch {
    // A port that cannot build links yet (not discovered) leaves the record without one; the next look adds it.
    return decision;
  }
};
