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

/** The most rows HotWax's performFind answers at once (fulfillment app: "does not return more than 250"). */
export const maxViewSize = 250;

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

/**
 * The same request sent as a POST with a JSON body (HotWax's apps do this for long finds): `inputFields` an
 * object, `fieldList` an array, numbers as numbers or text.
 */
export const parseFindBody = (body: Record<string, unknown>): FindRequest => {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    if (key === 'inputFields') {
      if (!isRecord(value)) throw new FindRequestError('inputFields must be a JSON object');
      query.set(key, JSON.stringify(value));
    } else if (Array.isArray(value)) {
      for (const item of value) query.append(key, String(item));
    } else if (typeof value === 'object') {
      throw new FindRequestError(`${key} must be a string, a number or a list`);
    } else {
      query.set(key, String(value));
    }
  }
  return parseFindRequest(query);
};

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

const single = (field: string, op: string | undefined, value: unknown, ignoreCase: boolean): Condition => {
  const norm = (text: unknown) => (ignoreCase ? String(text).toLowerCase() : String(text));
  const present = (row: Row) => row[field] !== undefined && row[field] !== null && row[field] !== '';
  const operation = op ?? (Array.isArray(value) && value.length > 0 ? 'in' : 'equals');
  switch (operation) {
    case 'empty':
      return (row) => !present(row);
    case 'not-empty':
    case 'notEmpty':
      return present;
    case 'equals':
      return (row) => present(row) && norm(row[field]) === norm(value);
    case 'notEqual':
    case 'not-equals':
      return (row) => norm(row[field]) !== norm(value);
    case 'in': {
      const allowed = new Set(listOf(value).map(norm));
      return (row) => present(row) && allowed.has(norm(row[field]));
    }
    case 'not-in': {
      const excluded = new Set(listOf(value).map(norm));
      return (row) => !present(row) || !excluded.has(norm(row[field]));
    }
    case 'like': {
      const prefix = norm(value).replaceAll('%', '');
      return (row) => present(row) && norm(row[field]).startsWith(prefix);
    }
    case 'contains': {
      const needle = norm(value).replaceAll('%', '');
      return (row) => present(row) && norm(row[field]).includes(needle);
    }
    case 'greaterThan':
      return (row) => asEpoch(row[field]) > asEpoch(value);
    case 'greaterThanEqualTo':
      return (row) => asEpoch(row[field]) >= asEpoch(value);
    case 'lessThan':
      return (row) => asEpoch(row[field]) < asEpoch(value);
    case 'lessThanEqualTo':
      return (row) => asEpoch(row[field]) <= asEpoch(value);
    default:
      throw new FindRequestError(`unknown operator ${operation} for ${field}`);
  }
};

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/**
 * OFBiz's `FindServices.createConditionList`: a key is `<field>`, `<field>_op`, `<field>_ic`, `<field>_value`,
 * optionally with `_fld0`/`_fld1` and an OR group `<field>_fldN_grp`. A key whose field is not one of the
 * entity's (such as `createdDate_from`: OFBiz has no `_from`) is silently dropped.
 */
const conditionsOf = (inputs: Record<string, unknown>, fields: ReadonlySet<string>): Condition[] => {
  const processed = new Set<string>();
  const result: Condition[] = [];
  const groups = new Map<string, Condition[]>();
  for (const parameterName of Object.keys(inputs)) {
    if (processed.has(parameterName)) continue;
    const keys = new Set<string>();
    let fieldName = parameterName;
    if (/_(ic|op)$/.test(fieldName)) fieldName = fieldName.slice(0, -3);
    else if (fieldName.endsWith('_value')) fieldName = fieldName.slice(0, -6);
    const group = inputs[`${fieldName}_grp`];
    if (group !== undefined) keys.add(`${fieldName}_grp`);
    const ic = inputs[`${fieldName}_ic`];
    if (ic !== undefined) keys.add(`${fieldName}_ic`);
    const op = inputs[`${fieldName}_op`];
    if (op !== undefined) keys.add(`${fieldName}_op`);
    let value = inputs[`${fieldName}_value`];
    if (value !== undefined) keys.add(`${fieldName}_value`);
    if (/_fld[01]$/.test(fieldName)) {
      if (fieldName in inputs) keys.add(fieldName);
      fieldName = fieldName.slice(0, -5);
    }
    if (fieldName in inputs) keys.add(fieldName);
    for (const key of keys) processed.add(key);
    if (!fields.has(fieldName)) continue;
    if (value === undefined) value = inputs[fieldName];
    if (isEmpty(value) && op !== 'empty') continue;
    const condition = single(fieldName, op === undefined ? undefined : String(op), value, ic === 'Y');
    if (group !== undefined && group !== '') {
      const list = groups.get(String(group)) ?? [];
      list.push(condition);
      groups.set(String(group), list);
    } else {
      result.push(condition);
    }
  }
  if (groups.size > 0) {
    const alternatives = [...groups.values()];
    result.push((row) => alternatives.some((all) => all.every((condition) => condition(row))));
  }
  return result;
};

const compare = (a: unknown, b: unknown): number => {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
};

/**
 * Filters, sorts, pages and projects rows; `count` is the number of matches before paging. `fields` are the
 * entity's fields: conditions on anything else are dropped, as OFBiz drops them.
 */
export const performFind = (
  rows: readonly Row[],
  request: FindRequest,
  fields: readonly string[],
): { docs: Row[]; count: number } => {
  const conditions = conditionsOf(request.inputFields, new Set(fields));
  if (conditions.length === 0 && !request.noConditionFind) return { docs: [], count: 0 };
  const matches = rows.filter((row) => conditions.every((condition) => condition(row)));
  for (const order of [...request.orderBy].reverse()) {
    const descending = /\s+desc$/i.test(order) || order.startsWith('-');
    const field = order.replace(/^[-+]/, '').replace(/\s+(asc|desc)$/i, '');
    matches.sort((a, b) => (descending ? -1 : 1) * compare(a[field], b[field]));
  }
  // HotWax answers at most 250 rows a page, whatever viewSize asks (its apps page past that).
  const viewSize = Math.min(request.viewSize, maxViewSize);
  const start = request.viewIndex * viewSize;
  const page = matches.slice(start, start + viewSize);
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
