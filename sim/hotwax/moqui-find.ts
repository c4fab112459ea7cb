/**
 * The subset of Moqui's `EntityFind.searchFormMap` the Maarg simulator honours (moqui-framework
 * `EntityFindBase.groovy`, `RestApi.groovy`): per known field `<field>`, `_op` (equals, like, contains, begins,
 * empty, in with a comma-joined value), `_not=Y`, `_ic=Y`, `_from` / `_thru`; `orderByField` (comma list, `-` for
 * descending); `pageIndex` / `pageSize`, 100 rows when no limit is given. Like Moqui it ignores every parameter
 * that is not a field of the entity.
 */

export type MoquiRow = Record<string, unknown>;

export interface MoquiPage {
  rows: MoquiRow[];
  count: number;
  pageIndex: number;
  pageSize: number;
}

const asComparable = (value: unknown): number | string => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  if (typeof value === 'string') {
    const parsed = Date.parse(`${value.replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(value) ? '' : 'Z'}`);
    return Number.isNaN(parsed) ? value : parsed;
  }
  return String(value);
};

const truthy = (value: string | null) => value === 'Y' || value === 'true';

export const moquiHeaders = (page: MoquiPage): Record<string, string> => {
  const maxIndex = Math.max(0, Math.floor((page.count - 1) / page.pageSize));
  const low = page.pageIndex * page.pageSize + 1;
  return {
    'X-Total-Count': String(page.count),
    'X-Page-Index': String(page.pageIndex),
    'X-Page-Size': String(page.pageSize),
    'X-Page-Max-Index': String(maxIndex),
    'X-Page-Range-Low': String(low),
    'X-Page-Range-High': String(Math.min(page.count, page.pageIndex * page.pageSize + page.pageSize)),
  };
};

export const moquiFind = (
  rows: readonly MoquiRow[],
  query: URLSearchParams,
  fields: readonly string[],
  defaultPageSize = 100,
): MoquiPage => {
  const known = new Set(fields);
  const conditions: ((row: MoquiRow) => boolean)[] = [];
  for (const field of known) {
    const value = query.get(field);
    const op = query.get(`${field}_op`) ?? (value !== null ? 'equals' : undefined);
    const not = truthy(query.get(`${field}_not`));
    const ic = truthy(query.get(`${field}_ic`));
    const norm = (text: unknown) => (ic ? String(text).toLowerCase() : String(text));
    const present = (row: MoquiRow) => row[field] !== undefined && row[field] !== null && row[field] !== '';
    let condition: ((row: MoquiRow) => boolean) | undefined;
    if (op === 'empty') condition = (row) => !present(row);
    else if (value !== null && value !== '') {
      const wanted = norm(value);
      switch (op) {
        case 'in': {
          const list = new Set(value.split(',').map((item) => norm(item.trim())));
          condition = (row) => present(row) && list.has(norm(row[field]));
          break;
        }
        case 'like':
          condition = (row) =>
            present(row) &&
            new RegExp(`^${wanted.replaceAll('%', '.*')}$`, ic ? 'i' : '').test(String(row[field]));
          break;
        case 'contains':
          condition = (row) => present(row) && norm(row[field]).includes(wanted);
          break;
        case 'begins':
          condition = (row) => present(row) && norm(row[field]).startsWith(wanted);
          break;
        default:
          condition = (row) => present(row) && norm(row[field]) === wanted;
      }
    }
    if (condition) {
      const base = condition;
      conditions.push(not ? (row) => !base(row) : base);
    }
    const from = query.get(`${field}_from`);
    if (from) conditions.push((row) => present(row) && asComparable(row[field]) >= asComparable(from));
    const thru = query.get(`${field}_thru`);
    if (thru) conditions.push((row) => present(row) && asComparable(row[field]) < asComparable(thru));
  }
  const matches = rows.filter((row) => conditions.every((condition) => condition(row)));
  const orderBy = (query.get('orderByField') ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => known.has(part.replace(/^[-+]/, '')));
  for (const order of [...orderBy].reverse()) {
    const descending = order.startsWith('-');
    const field = order.replace(/^[-+]/, '');
    matches.sort((a, b) => {
      const left = a[field];
      const right = b[field];
      if (left === right) return 0;
      // Moqui (on most databases) sorts nulls first ascending, last descending.
      if (left === undefined || left === null) return descending ? 1 : -1;
      if (right === undefined || right === null) return descending ? -1 : 1;
      const x = asComparable(left);
      const y = asComparable(right);
      const compared =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x).localeCompare(String(y), 'en', { numeric: true });
      return descending ? -compared : compared;
    });
  }
  const pageSize = Math.max(1, Number(query.get('pageSize')) || defaultPageSize);
  const pageIndex = Math.max(0, Number(query.get('pageIndex')) || 0);
  const start = pageIndex * pageSize;
  return { rows: matches.slice(start, start + pageSize), count: matches.length, pageIndex, pageSize };
};
