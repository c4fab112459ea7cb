import { channelLabel, humanDuration, scrubPii, utc } from '../../domain/notification-text.js';
import type { OrderView } from '../../domain/order-view.js';

/**
 * The order's timeline page: small server-rendered HTML, no script, readable on a phone. Every text is escaped (order
 * names and HotWax's error texts come from outside) and scrubbed of e-mail- and phone-like strings like the Slack
 * messages; links must be http(s).
 */

/** Sent with every page: nothing runs, nothing is framed or cached, and the token never leaks as a Referer. */
export const pageHeaders: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex, nofollow',
};

export const escapeHtml = (text: string): string =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

const safe = (text: string) => escapeHtml(scrubPii(text));

const anchor = (url: string | undefined, label: string) => {
  if (!url || !/^https?:\/\//i.test(url)) return '';
  return `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${escapeHtml(label)}</a>`;
};

const style = `
  :root { color-scheme: light dark; --muted: #667; --line: #d8dbe0; --warn: #b25000; --ok: #1d7a3a; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.4rem; margin: 0.2rem 0; overflow-wrap: anywhere; }
  .state { display: inline-block; padding: 0.1rem 0.6rem; border-radius: 1rem; border: 1px solid currentColor; font-weight: 600; }
  .person { color: var(--warn); } .healthy { color: var(--ok); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
  dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
  section { border-top: 1px solid var(--line); margin-top: 1rem; padding-top: 0.5rem; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; background: rgba(127,127,127,0.12); padding: 0.6rem; border-radius: 0.4rem; font-size: 0.85rem; }
  ol { list-style: none; padding: 0; margin: 0; }
  li { padding: 0.5rem 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
  time, .type { color: var(--muted); font-size: 0.85rem; }
  nav a { display: inline-block; margin: 0.3rem 1rem 0.3rem 0; }
  footer { color: var(--muted); font-size: 0.8rem; margin-top: 1.5rem; }
`;

const page = (title: string, body: string) =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;

/** The order: state, finding (cause, fix, raw error), links to Shopify and HotWax, and the whole timeline. */
export const renderTimelinePage = (view: OrderView, options: { now: number; expiresAt: number }): string => {
  const { now } = options;
  const stateClass = view.needsPerson
    ? 'person'
    : view.state === 'in_sync' || view.state === 'ignored'
      ? 'healthy'
      : '';
  const finding = view.finding
    ? `<section aria-labelledby="finding">
<h2 id="finding">Finding</h2>
<dl>
<dt>Cause</dt><dd>${safe(view.finding.title)}: ${safe(view.finding.explanation)}</dd>
<dt>Fix</dt><dd>${safe(view.finding.fix).replaceAll('\n', '<br>')}</dd>
${view.finding.mdmLogId ? `<dt>Import log</dt><dd>${escapeHtml(view.finding.mdmLogId)}</dd>` : ''}
</dl>
${view.finding.rawError ? `<h3>Raw error from HotWax</h3>\n<pre>${safe(view.finding.rawError)}</pre>` : ''}
</section>`
    : '';
  const marks = [
    view.mutedUntil
      ? `Alerts muted by Slack user ${escapeHtml(view.mutedBy ?? '')} until ${utc(view.mutedUntil)}.`
      : '',
    view.ignoredBy
      ? `Ignored by Slack user ${escapeHtml(view.ignoredBy)}: ${safe(view.ignoredReason ?? 'no reason given')}`
      : '',
  ].filter(Boolean);
  const events = [...view.timeline]
    .reverse()
    .map(
      (event) =>
        `<li><time datetime="${new Date(event.at).toISOString()}">${utc(event.at)}</time> <span class="type">${escapeHtml(event.type)}${event.state ? ` → ${escapeHtml(event.state)}` : ''}</span><br>${safe(event.message)}</li>`,
    )
    .join('\n');
  const nav = [
    anchor(view.links.shopify, 'Open in Shopify admin'),
    anchor(view.links.hotwax, `Open in HotWax${view.hotwaxOrderId ? ` (${view.hotwaxOrderId})` : ''}`),
  ]
    .filter(Boolean)
    .join('\n');
  return page(
    `${view.orderName} — ${view.stateLabel}`,
    `<header>
<p class="type">${escapeHtml(view.key.shop)}</p>
<h1>Order ${escapeHtml(view.orderName)}</h1>
<p><span class="state ${stateClass}" data-state="${escapeHtml(view.state)}">${escapeHtml(view.stateLabel)}</span> for ${humanDuration(now - view.stateSince)}</p>
</header>
<dl>
<dt>Shopify order id</dt><dd>${escapeHtml(view.key.orderId)}</dd>
<dt>Channel</dt><dd>${escapeHtml(channelLabel(view.channel))}</dd>
<dt>Repairs</dt><dd>${view.repairAttempts}</dd>
</dl>
${marks.length > 0 ? `<p>${marks.join('<br>')}</p>` : ''}
<nav>${nav}</nav>
${finding}
<section aria-labelledby="timeline">
<h2 id="timeline">Timeline</h2>
<ol>
${events || '<li>No events yet.</li>'}
</ol>
</section>
<footer>As of ${utc(now)}. This link works until ${utc(options.expiresAt)}; ask <code>/ordersync ${escapeHtml(view.orderName)}</code> in Slack for a fresh one.</footer>`,
  );
};

const refusals: Record<string, string> = {
  expired: 'This link has expired.',
  forged: 'This link is not valid.',
  malformed: 'This link is not valid.',
  unknown_order: 'This link is not valid.',
  not_configured: 'Timeline links are not set up for this monitor.',
};

/** Shown with status 403: nothing of the order, only what to do. */
export const renderRefusalPage = (reason: string): string =>
  page(
    'Link not valid',
    `<h1>${escapeHtml(refusals[reason] ?? 'This link is not valid.')}</h1>
<p>Timeline links are signed and expire after a few days. Ask <code>/ordersync &lt;order&gt;</code> in Slack for a fresh one, or open the order from its latest Slack message.</p>`,
  );
