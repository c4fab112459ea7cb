/**
 * The subset of OFBiz `performFind` / `findJobs` semantics the simulator honours, read from the query string
 * exactly as HotWax reads it: `inputFields` is one JSON string, `fieldList` repeats its key.
 */

export type Row = Record<string, unknown>;

export interface FindRequest {
  entityName?: string;
  inputFields: Record<string, unknown>;
  fieldList: string[];
  orderBy: string[];
  viewSize: number;
  viewIndex: number;
  noConditionFind: boolean;
}

export class FindRequestError extends Error {
  override name = 'FindRequestError';
}

/** OFBiz's default page size when `viewSize` is absent. */
export const defaultViewSize = 20;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const parseFindRequest = (query: URLSearchParams): FindRequest => {
  const inputs = query.getAll('inputFields');
  if (inputs.length > 1) throw new FindRequestError('inputFields must be sent once, as one JSON string');
  let inputFields: Record<string, unknown> = {};
  if (inputs[0] !== undefined && inputs[0] !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(inputs[0]);
    } catch {
      throw new FindRequestError('inputFields is not valid JSON');
    }
    if (!isRecord(parsed)) throw new FindRequestError('inputFields must be a JSON object');
    inputFields = parsed;
  }
  const number = (name: string, fallback: number) => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new FindRequestError(`${name} must be a whole number`);
    return value;
  };
  return {
    entityName: query.get('entityName') ?? undefined,
    inputFields,
    fieldList: query.getAll('fieldList'),
    orderBy: (query.get('orderBy') ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
    viewSize: number('viewSize', defaultViewSize),
    viewIndex: number('viewIndex', 0),
    noConditionFind: query.get('noConditionFind') === 'Y',
  };
};

const suffixes = ['_op', '_ic', '_from', '_thru'] as const;

const asEpoch = (value: unknown): number => {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return typeof value === 'string' ? Date.parse(value.replace(' ', 'T')) : Number.NaN;
};

const listOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [value]).map((item) =>
    String(item).trim(),
  );

type Condition = (row: Row) => boolean;

const conditionFor = (field: string, inputs: Record<string, unknown>): Condition[] => {
  const conditions: Condition[] = [];
  const value = inputs[field];
  const hasValue = value !== undefined && value !== null && value !== '';
  const op = String(inputs[`${field}_op`] ?? (Array.isArray(value) ? 'in' : 'equals'));
  const ignoreCase = inputs[`${field}_ic`] === 'Y';
  const norm = (text: unknown) => (ignoreCase ? String(text).toLowerCase() : String(text));
  const present = (row: Row) => row[field] !== undefined && row[field] !== null && row[field] !== '';

  if (op === 'empty') conditions.push((row) => !present(row));
  else if (op === 'not-empty' || op === 'notEmpty') conditions.push(present);
  else if (hasValue) {
    switch (op) {
      case 'equals':
        conditions.push((row) => present(row) && norm(row[field]) === norm(value));
        break;
      case 'notEqual':
      case 'not-equals':
        conditions.push((row) => norm(row[field]) !== norm(value));
        break;
      case 'in': {
        const allowed = new Set(listOf(value).map(norm));
        conditions.push((row) => present(row) && allowed.has(norm(row[field])));
        break;
      }
      case 'not-in': {
        const excluded = new Set(listOf(value).map(norm));
        conditions.push((row) => !present(row) || !excluded.has(norm(row[field])));
        break;
      }
      case 'like':
      case 'contains': {
        const needle = norm(value).replaceAll('%', '');
        conditions.push((row) => present(row) && norm(row[field]).includes(needle));
        break;
      }
      case 'greaterThan':
        conditions.push((row) => asEpoch(row[field]) > asEpoch(value));
        break;
      case 'greaterThanEqualTo':
        conditions.push((row) => asEpoch(row[field]) >= asEpoch(value));
        break;
      case 'lessThan':
        conditions.push((row) => asEpoch(row[field]) < asEpoch(value));
        break;
      case 'lessThanEqualTo':
        conditions.push((row) => asEpoch(row[field]) <= asEpoch(value));
        break;
      default:
        throw new FindRequestError(`unknown operator ${op} for ${field}`);
    }
  }
  const from = inputs[`${field}_from`];
  if (from !== undefined && from !== '') conditions.push((row) => asEpoch(row[field]) >= asEpoch(from));
  const thru = inputs[`${field}_thru`];
  if (thru !== undefined && thru !== '') conditions.push((row) => asEpoch(row[field]) < asEpoch(thru));
  return conditions;
};

const conditionsOf = (inputs: Record<string, unknown>): Condition[] => {
  const fields = new Set<string>();
  for (const key of Object.keys(inputs)) {
    // Grouped conditions (`shopId_fld0_value`) are Job Manager's; the monitor does not send them.
    if (/_fld\d+_/.test(key)) continue;
    const suffix = suffixes.find((candidate) => key.endsWith(candidate));
    fields.add(suffix ? key.slice(0, -suffix.length) : key);
  }
  return [...fields].flatMap((field) => conditionFor(field, inputs));
};

const compare = (a: unknown, b: unknown): number => {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
};

/** Filters, sorts, pages and projects rows; `count` is the number of matches before paging. */
export const performFind = (rows: readonly Row[], request: FindRequest): { docs: Row[]; count: number } => {
  const conditions = conditionsOf(request.inputFields);
  if (conditions.length === 0 && !request.noConditionFind) return { docs: [], count: 0 };
  const matches = rows.filter((row) => conditions.every((condition) => condition(row)));
  for (const order of [...request.orderBy].reverse()) {
    const descending = /\s+desc$/i.test(order) || order.startsWith('-');
    const field = order.replace(/^[-+]/, '').replace(/\s+(asc|desc)$/i, '');
    matches.sort((a, b) => (descending ? -1 : 1) * compare(a[field], b[field]));
  }
  const start = request.viewIndex * request.viewSize;
  const page = matches.slice(start, start + request.viewSize);
  const docs =
    request.fieldList.length === 0
      ? page.map((row) => ({ ...row }))
      : page.map((row) =>
          Object.fromEntries(
            request.fieldList.filter((field) => row[field] !== undefined).map((field) => [field, row[field]]),
          ),
        );
  return { docs, count: matches.length };
};
