/**
 * Reading the Shopify Order MDM's failed-record files. HotWax has not published their layout, so this follows the
 * runbook literally: "match the Shopify order ID in the JSON data" anywhere in a record, and read the error from
 * whichever message field the record carries. It tolerates a JSON array (what HotWax serves), JSON lines, and a
 * CSV whose cells hold JSON.
 */

import type { ImportFailure } from '../../domain/ports.js';
import { HotwaxError } from './errors.js';
import { parseJsonLossless } from './wire.js';

type Json = unknown;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const containerKeys = ['records', 'failedRecords', 'docs', 'data', 'orders', 'items', 'rows'];

const recordsOf = (parsed: Json): Json[] => {
  if (Array.isArray(parsed)) return parsed;
  if (isRecord(parsed)) {
    for (const key of containerKeys) {
      const inner = parsed[key];
      if (Array.isArray(inner) && inner.some(isRecord)) return inner;
    }
    return [parsed];
  }
  return [];
};

/** RFC 4180: quoted cells may hold the delimiter, doubled quotes and newlines. */
export const parseCsv = (text: string, delimiter = ','): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"' && cell === '') {
      quoted = true;
    } else if (char === delimiter) {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((cells) => cells.some((value) => value.trim() !== ''));
};

const csvRecords = (text: string): Json[] => {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [',', '\t', ';'].find((candidate) => firstLine.includes(candidate)) ?? ',';
  const rows = parseCsv(text, delimiter);
  const [header, ...body] = rows;
  if (!header) return [];
  if (body.length === 0) return [Object.fromEntries(header.map((cell, index) => [String(index), cell]))];
  return body.map((cells) =>
    Object.fromEntries(cells.map((cell, index) => [header[index]?.trim() || String(index), cell])),
  );
};

/** Splits a failed-record file into records, whatever its format. */
export const parseFailedRecords = (text: string): Json[] => {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      return recordsOf(parseJsonLossless(trimmed));
    } catch {
      // maybe JSON lines
    }
    const lines = trimmed.split(/\r?\n/).filter((line) => line.trim() !== '');
    const parsed: Json[] = [];
    for (const line of lines) {
      try {
        parsed.push(parseJsonLossless(line));
      } catch {
        return csvRecords(trimmed);
      }
    }
    return parsed.flatMap((line) => (Array.isArray(line) ? line : [line]));
  }
  return csvRecords(trimmed);
};

const maxDepth = 16;
const maxEmbeddedJson = 5_000_000;

const embeddedJson = (text: string): Json | undefined => {
  const trimmed = text.trim();
  if (trimmed.length > maxEmbeddedJson || !/^[[{]/.test(trimmed)) return undefined;
  try {
    return parseJsonLossless(trimmed);
  } catch {
    return undefined;
  }
};

const normalizeKey = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

// Keys that name the record's own order, at the top or one level down (`order.id`): a hit there beats a stray
// mention elsewhere, such as an order referenced in a note.
const orderIdKeys = new Set([
  'id',
  'order',
  'orderid',
  'shopifyorderid',
  'externalid',
  'externalorderid',
  'shopifyid',
  'ordergid',
  'admingraphqlapiid',
]);

const gidPattern = /gid:\/\/shopify\/Order\/(\d+)/gi;
const digitsPattern = /\d+/g;

interface Hits {
  strong: Set<string>;
  weak: Set<string>;
}

const scanScalar = (
  value: string | number,
  key: string,
  depth: number,
  wanted: ReadonlySet<string>,
  hits: Hits,
) => {
  const idKey = depth <= 2 && orderIdKeys.has(normalizeKey(key));
  if (typeof value === 'number') {
    const text = Number.isSafeInteger(value) ? String(value) : undefined;
    if (text !== undefined && wanted.has(text)) (idKey ? hits.strong : hits.weak).add(text);
    return;
  }
  const trimmed = value.trim();
  if (wanted.has(trimmed)) (idKey ? hits.strong : hits.weak).add(trimmed);
  for (const match of trimmed.matchAll(gidPattern)) {
    if (match[1] && wanted.has(match[1])) hits.strong.add(match[1]);
  }
  // An id inside free text ("order 5123 failed") counts only as a whole number, never as part of a longer one.
  for (const match of trimmed.matchAll(digitsPattern)) {
    if (wanted.has(match[0])) hits.weak.add(match[0]);
  }
};

const scan = (value: Json, key: string, depth: number, wanted: ReadonlySet<string>, hits: Hits): void => {
  if (depth > maxDepth) return;
  if (typeof value === 'string') {
    const inner = embeddedJson(value);
    if (inner !== undefined && typeof inner === 'object' && inner !== null)
      scan(inner, key, depth, wanted, hits);
    else scanScalar(value, key, depth, wanted, hits);
  } else if (typeof value === 'number') {
    scanScalar(value, key, depth, wanted, hits);
  } else if (Array.isArray(value)) {
    for (const item of value) scan(item, key, depth + 1, wanted, hits);
  } else if (isRecord(value)) {
    for (const [childKey, child] of Object.entries(value)) scan(child, childKey, depth + 1, wanted, hits);
  }
};

/** The wanted Shopify order ids a record names; ids under an order-id key win over mentions elsewhere. */
export const orderIdsInRecord = (record: Json, wanted: ReadonlySet<string>): string[] => {
  const hits: Hits = { strong: new Set(), weak: new Set() };
  scan(record, '', 0, wanted, hits);
  return [...(hits.strong.size > 0 ? hits.strong : hits.weak)];
};

// Lower rank wins: HotWax's own keys first, then the usual names of error fields, then generic ones.
const messageKeyRank = new Map<string, number>([
  ['errormessage', 0],
  ['errormessagelist', 1],
  ['errormessages', 1],
  ['errors', 2],
  ['error', 2],
  ['errortext', 2],
  ['errordetail', 2],
  ['errordetails', 2],
  ['errordescription', 2],
  ['errorreason', 2],
  ['failurereason', 2],
  ['failuremessage', 2],
  ['exception', 3],
  ['exceptionmessage', 3],
  ['message', 4],
  ['messages', 4],
  ['statusmessage', 4],
  ['responsemessage', 4],
  ['reason', 5],
]);

const maxErrorText = 2000;

const textOf = (value: Json, depth = 0): string | undefined => {
  if (depth > 4) return undefined;
  if (typeof value === 'string') {
    const inner = embeddedJson(value);
    const text = inner !== undefined && typeof inner === 'object' ? textOf(inner, depth + 1) : value.trim();
    return text || undefined;
  }
  if (Array.isArray(value)) {
    const parts = value.map((item) => textOf(item, depth + 1)).filter((part): part is string => !!part);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  if (isRecord(value)) {
    const nested = errorTextIn(value, depth + 1);
    if (nested) return nested;
    // Field-keyed errors such as {"phone": ["can't be blank"]}
    const parts = Object.entries(value)
      .map(([key, item]) => {
        const text = typeof item === 'string' || Array.isArray(item) ? textOf(item, depth + 1) : undefined;
        return text ? `${key}: ${text}` : undefined;
      })
      .filter((part): part is string => !!part);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  return undefined;
};

function errorTextIn(record: Json, depth = 0): string | undefined {
  // Breadth-first: a message field at the top of the record beats one buried in the order payload.
  let level: Json[] = [record];
  for (let levelDepth = 0; levelDepth <= maxDepth && level.length > 0; levelDepth++) {
    let best: { rank: number; text: string } | undefined;
    const next: Json[] = [];
    for (const node of level) {
      const value = typeof node === 'string' ? embeddedJson(node) : node;
      if (Array.isArray(value)) {
        next.push(...value);
      } else if (isRecord(value)) {
        for (const [key, child] of Object.entries(value)) {
          const rank = messageKeyRank.get(normalizeKey(key));
          if (rank !== undefined && (!best || rank < best.rank)) {
            const text = textOf(child, depth + 1);
            if (text) best = { rank, text };
          }
          if (typeof child === 'object' || typeof child === 'string') next.push(child);
        }
      }
    }
    if (best) return best.text.length > maxErrorText ? `${best.text.slice(0, maxErrorText)}…` : best.text;
    level = next;
  }
  return undefined;
}

/** The error text a failed record carries, from whichever message field it has. */
export const errorTextOfRecord = (record: Json): string | undefined => errorTextIn(record);

export const noErrorTextFound = 'HotWax listed the order as a failed record without an error message';

const redacted = '[…]';
const emailInText = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[a-z]{2,}/gi;
// Lower-case words ("paid", "web", "shipping") are enumerations, not a person's data: keep them so the
// classifier still reads the message. Anything else the record holds may be a name, an address, a phone…
const enumLike = /^[a-z_]+$/;

const valuesQuotable = (record: Json, into: Set<string>, key = '', depth = 0): void => {
  if (depth > maxDepth) return;
  if (messageKeyRank.has(normalizeKey(key))) return; // the error text itself
  if (typeof record === 'string') {
    const text = record.trim();
    const inner = embeddedJson(text);
    if (inner !== undefined && typeof inner === 'object' && inner !== null) {
      valuesQuotable(inner, into, key, depth + 1);
    } else if (text.length >= 3 && !enumLike.test(text) && !/^gid:\/\//.test(text)) {
      into.add(text);
    }
  } else if (typeof record === 'number') {
    // A phone or a postal code stored as a number; short numbers (quantities) say nothing about a person.
    if (Number.isInteger(record) && String(Math.abs(record)).length >= 5) into.add(String(record));
  } else if (Array.isArray(record)) {
    for (const item of record) valuesQuotable(item, into, key, depth + 1);
  } else if (isRecord(record)) {
    for (const [childKey, child] of Object.entries(record)) valuesQuotable(child, into, childKey, depth + 1);
  }
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * HotWax's error text with every value the record itself holds cut out (a name, an e-mail, a street, a phone),
 * plus anything shaped like an e-mail address. Pattern matching alone misses names; the record tells which words
 * are the customer's. The ids asked for stay: they are the order's, not the customer's.
 */
export const redactRecordValues = (
  errorText: string,
  record: Json,
  keep: ReadonlySet<string> = new Set(),
): string => {
  const values = new Set<string>();
  valuesQuotable(record, values);
  let text = errorText;
  // Longest first, so "Jane Doe" goes before "Jane".
  for (const quoted of [...values].sort((a, b) => b.length - a.length)) {
    if (keep.has(quoted)) continue;
    const pattern = /^\d+$/.test(quoted)
      ? new RegExp(`(?<!\\d)${escapeRegExp(quoted)}(?!\\d)`, 'g')
      : new RegExp(escapeRegExp(quoted), 'gi');
    text = text.replace(pattern, redacted);
  }
  return text.replace(emailInText, redacted);
};

/**
 * The error text per wanted Shopify order id found in a failed-record file. The first record naming an order wins
 * (one file is one import run).
 */
export const matchFailedRecords = (
  text: string,
  shopifyOrderIds: ReadonlySet<string>,
  options: { redact?: boolean } = {},
): Map<string, string> => {
  const found = new Map<string, string>();
  if (shopifyOrderIds.size === 0) return found;
  for (const record of parseFailedRecords(text)) {
    const ids = orderIdsInRecord(record, shopifyOrderIds).filter((id) => !found.has(id));
    if (ids.length === 0) continue;
    const raw = errorTextOfRecord(record);
    const errorText =
      raw === undefined
        ? noErrorTextFound
        : options.redact
          ? redactRecordValues(raw, record, shopifyOrderIds)
          : raw;
    for (const id of ids) found.set(id, errorText);
  }
  return found;
};

/** A log of failed import records, newest first in the list a search goes through. */
export interface FailedRecordLog {
  logId: string;
  createdDate: number;
}

/**
 * "Match the Shopify order ID in the failed-record JSON" over a backend's logs, newest first, so the newest failure
 * of an order wins and the search stops once every order is accounted for. One unreadable file (a refused
 * download) is skipped and said, so it cannot hide the others; an outage or bad credentials still fail the search.
 * The files are read in memory only and the error texts come back redacted.
 */
export const findFailuresInLogs = async <Log extends FailedRecordLog>(params: {
  logs: readonly Log[];
  wanted: ReadonlySet<string>;
  /** the log's failed-record file; undefined when it has none */
  readFile: (log: Log) => Promise<string | undefined>;
  /** where the failure was found, for people (config, content or data resource ids) */
  describe: (log: Log) => Omit<ImportFailure, 'shopifyOrderId' | 'logId' | 'createdDate' | 'errorText'>;
  onUnreadable: (log: Log, error: HotwaxError) => void;
}): Promise<Map<string, ImportFailure>> => {
  const failures = new Map<string, ImportFailure>();
  for (const log of params.logs) {
    const remaining = new Set([...params.wanted].filter((id) => !failures.has(id)));
    if (remaining.size === 0) break;
    let file: string | undefined;
    try {
      file = await params.readFile(log);
    } catch (error) {
      if (!(error instanceof HotwaxError) || error.transient || error.name === 'HotwaxAuthError') throw error;
      params.onUnreadable(log, error);
      continue;
    }
    if (file === undefined) continue;
    for (const [shopifyOrderId, errorText] of matchFailedRecords(file, remaining, { redact: true })) {
      failures.set(shopifyOrderId, {
        shopifyOrderId,
        logId: log.logId,
        createdDate: log.createdDate,
        errorText,
        ...params.describe(log),
      });
    }
  }
  return failures;
};
