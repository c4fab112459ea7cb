/**
 * HotWax's wire conventions (hotwax-api.md › Conventions), kept apart from HTTP so they are unit-tested alone.
 */

type Primitive = string | number | boolean;
export type QueryValue = Primitive | null | undefined | readonly unknown[] | Record<string, unknown>;

// qs (which @hotwax/oms-api uses) encodes RFC 3986 style: encodeURIComponent also leaves !'()* alone.
const encode = (value: string): string =>
  encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );

const scalar = (value: unknown): string =>
  typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);

/**
 * Serializes GET parameters as `@hotwax/oms-api`'s `paramsSerializer` does: an object value (`inputFields`) is
 * one JSON-encoded string, a top-level array (`fieldList`) repeats its key, `undefined` is left out.
 */
export const serializeParams = (params: Readonly<Record<string, QueryValue>>): string => {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) {
        if (item !== undefined) parts.push(`${encode(key)}=${encode(scalar(item))}`);
      }
    } else {
      parts.push(`${encode(key)}=${encode(value === null ? '' : scalar(value))}`);
    }
  }
  return parts.join('&');
};

/**
 * `JSON.parse` that never loses an id: an integer too big for a JS number (a Shopify order id may exceed 2^53) is
 * kept as its source text. Needs the reviver's source access (Node 21+; the project runs on Node 24).
 */
export const parseJsonLossless = (text: string): unknown =>
  JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    typeof context?.source === 'string' &&
    /^-?\d+$/.test(context.source)
      ? context.source
      : value,
  );

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const messageOf = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    const inner = value.message ?? value.errorMessage ?? value._ERROR_MESSAGE_;
    if (typeof inner === 'string') return inner;
  }
  return JSON.stringify(value);
};

const maxMessageLength = 1000;
const truncate = (text: string): string =>
  text.length > maxMessageLength ? `${text.slice(0, maxMessageLength)}…` : text;

/**
 * The error a 200 answer carries, or undefined: `_ERROR_MESSAGE_`, a non-empty `_ERROR_MESSAGE_LIST_`, or a
 * truthy `error` (the test of `hasError` in `@hotwax/oms-api`).
 */
export const errorInBody = (body: Record<string, unknown>): string | undefined => {
  const parts: string[] = [];
  if (body._ERROR_MESSAGE_) parts.push(messageOf(body._ERROR_MESSAGE_));
  const list = body._ERROR_MESSAGE_LIST_;
  // An empty list means no errors even though hasError would flag it; OFBiz only sends it with content.
  if (Array.isArray(list)) parts.push(...list.map(messageOf));
  else if (list) parts.push(messageOf(list));
  if (body.error) parts.push(messageOf(body.error));
  const text = parts.filter((part) => part.trim() !== '').join('; ');
  if (text) return truncate(text);
  return parts.length > 0 ? 'HotWax reported an error without a message' : undefined;
};

/** `performFind` / `findJobs` say "nothing matched" with an error body; that is an empty result, not a failure. */
export const isNoRecordFound = (body: Record<string, unknown>): boolean =>
  typeof body.error === 'string' &&
  /^\s*no records? found\.?\s*$/i.test(body.error) &&
  !body._ERROR_MESSAGE_ &&
  !(Array.isArray(body._ERROR_MESSAGE_LIST_) && body._ERROR_MESSAGE_LIST_.length > 0);

export type ParsedBody =
  | { kind: 'ok'; body: Record<string, unknown> }
  | { kind: 'empty' }
  /** `notJson`: the body was not a JSON object (HTML page, proxy error), not an error HotWax reported */
  | { kind: 'error'; message: string; notJson?: boolean };

const looksLikeHtml = (text: string): boolean => /^\s*</.test(text);

/**
 * Reads a JSON answer the way HotWax must be read: a body that is not a JSON object (an HTML login page, a
 * proxy error) is an error even with HTTP 200. With `allowNoRecord`, `{"error":"No record found"}` is `empty`.
 */
export const parseHotwaxBody = (text: string, options: { allowNoRecord?: boolean } = {}): ParsedBody => {
  let body: unknown;
  try {
    body = parseJsonLossless(text);
  } catch {
    return {
      kind: 'error',
      notJson: true,
      message: looksLikeHtml(text)
        ? 'answered with an HTML page instead of JSON (wrong base URL, or a login page)'
        : 'answered with something that is not JSON',
    };
  }
  if (!isRecord(body))
    return { kind: 'error', notJson: true, message: 'answered with JSON that is not an object' };
  if (options.allowNoRecord && isNoRecordFound(body)) return { kind: 'empty' };
  const error = errorInBody(body);
  return error === undefined ? { kind: 'ok', body } : { kind: 'error', message: error };
};

/**
 * Reads a downloaded file (`DownloadCsvFile`): any text is content, except an HTML page or a JSON object that
 * carries HotWax's error keys.
 */
export const parseHotwaxFile = (
  text: string,
): { kind: 'ok'; text: string } | { kind: 'error'; message: string } => {
  if (/^\s*<(!doctype|html|head|body)\b/i.test(text)) {
    return { kind: 'error', message: 'answered with an HTML page instead of the file' };
  }
  if (/^\s*\{/.test(text)) {
    try {
      const body: unknown = JSON.parse(text);
      if (isRecord(body)) {
        const error = errorInBody(body);
        if (error !== undefined) return { kind: 'error', message: error };
      }
    } catch {
      // not one JSON object (JSON lines, say): it is content
    }
  }
  return { kind: 'ok', text };
};
