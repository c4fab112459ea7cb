/**
 * Just enough GraphQL for the Shopify simulator: parses one operation (fields, aliases, arguments, variables) and
 * projects resolved objects onto its selection sets, so the simulator answers with exactly the fields requested.
 * Fragments and directives are refused loudly rather than half-supported.
 */

export interface FieldNode {
  name: string;
  alias?: string;
  args: Record<string, unknown>;
  selections: FieldNode[];
}

export interface OperationNode {
  type: 'query' | 'mutation';
  name?: string;
  selections: FieldNode[];
}

/** A GraphQL error as Shopify returns it in `errors`. */
export class GraphqlRequestError extends Error {
  override name = 'GraphqlRequestError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

type Token =
  | { kind: 'punct'; value: string; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'number'; value: number; at: number }
  | { kind: 'string'; value: string; at: number };

const tokenize = (source: string): Token[] => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (/[\s,\uFEFF]/.test(char)) {
      i += 1;
    } else if (char === '#') {
      while (i < source.length && source[i] !== '\n') i += 1;
    } else if (source.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...', at: i });
      i += 3;
    } else if ('!$()[]{}:=@|&'.includes(char)) {
      tokens.push({ kind: 'punct', value: char, at: i });
      i += 1;
    } else if (/[_A-Za-z]/.test(char)) {
      const match = /^[_A-Za-z][_0-9A-Za-z]*/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'name', value: match[0], at: i });
      i += match[0].length;
    } else if (/[-0-9]/.test(char)) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
      if (!match) throw new GraphqlRequestError(`Parse error on "${char}" at ${i}`, 'parseError');
      tokens.push({ kind: 'number', value: Number(match[0]), at: i });
      i += match[0].length;
    } else if (source.startsWith('"""', i)) {
      const end = source.indexOf('"""', i + 3);
      if (end < 0) throw new GraphqlRequestError('Parse error: unterminated block string', 'parseError');
      tokens.push({ kind: 'string', value: source.slice(i + 3, end), at: i });
      i = end + 3;
    } else if (char === '"') {
      let value = '';
      let j = i + 1;
      for (; j < source.length && source[j] !== '"'; j += 1) {
        if (source[j] === '\\') {
          j += 1;
          const escaped = source[j] as string;
          if (escaped === 'u') {
            value += String.fromCharCode(Number.parseInt(source.slice(j + 1, j + 5), 16));
            j += 4;
          } else {
            value +=
              ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[escaped] ?? escaped;
          }
        } else {
          value += source[j];
        }
      }
      if (j >= source.length) throw new GraphqlRequestError('Parse error: unterminated string', 'parseError');
      tokens.push({ kind: 'string', value, at: i });
      i = j + 1;
    } else {
      throw new GraphqlRequestError(`Parse error on "${char}" at ${i}`, 'parseError');
    }
  }
  return tokens;
};

/** Parses the operation named `operationName` (or the only one) with its variables substituted. */
export const parseOperation = (
  source: string,
  variables: Record<string, unknown> = {},
  operationName?: string,
): OperationNode => {
  const tokens = tokenize(source);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const next = (): Token => {
    const token = tokens[position];
    if (!token) throw new GraphqlRequestError('Parse error: unexpected end of document', 'parseError');
    position += 1;
    return token;
  };
  const isPunct = (value: string): boolean => {
    const token = peek();
    return token?.kind === 'punct' && token.value === value;
  };
  const expectPunct = (value: string): void => {
    const token = next();
    if (token.kind !== 'punct' || token.value !== value) {
      throw new GraphqlRequestError(
        `Parse error on "${token.value}" at ${token.at}, expected "${value}"`,
        'parseError',
      );
    }
  };
  const expectName = (): string => {
    const token = next();
    if (token.kind !== 'name')
      throw new GraphqlRequestError(`Parse error on "${token.value}" at ${token.at}`, 'parseError');
    return token.value;
  };

  const defaults: Record<string, unknown> = {};

  const parseValue = (constant: boolean): unknown => {
    const token = next();
    if (token.kind === 'punct' && token.value === '$' && !constant) {
      const name = expectName();
      return name in variables ? variables[name] : (defaults[name] ?? null);
    }
    if (token.kind === 'punct' && token.value === '[') {
      const list: unknown[] = [];
      while (!isPunct(']')) list.push(parseValue(constant));
      expectPunct(']');
      return list;
    }
    if (token.kind === 'punct' && token.value === '{') {
      const object: Record<string, unknown> = {};
      while (!isPunct('}')) {
        const key = expectName();
        expectPunct(':');
        object[key] = parseValue(constant);
      }
      expectPunct('}');
      return object;
    }
    if (token.kind === 'number' || token.kind === 'string') return token.value;
    if (token.kind === 'name') {
      if (token.value === 'true') return true;
      if (token.value === 'false') return false;
      if (token.value === 'null') return null;
      return token.value; // an enum value
    }
    throw new GraphqlRequestError(`Parse error on "${token.value}" at ${token.at}`, 'parseError');
  };

  const skipType = (): void => {
    if (isPunct('[')) {
      expectPunct('[');
      skipType();
      expectPunct(']');
    } else {
      expectName();
    }
    if (isPunct('!')) expectPunct('!');
  };

  const refuseDirectives = (): void => {
    if (isPunct('@'))
      throw new GraphqlRequestError('The simulator does not support directives', 'unsupported');
  };

  const parseSelections = (): FieldNode[] => {
    expectPunct('{');
    const fields: FieldNode[] = [];
    while (!isPunct('}')) {
      if (isPunct('...'))
        throw new GraphqlRequestError('The simulator does not support fragments', 'unsupported');
      let name = expectName();
      let alias: string | undefined;
      if (isPunct(':')) {
        expectPunct(':');
        alias = name;
        name = expectName();
      }
      const args: Record<string, unknown> = {};
      if (isPunct('(')) {
        expectPunct('(');
        while (!isPunct(')')) {
          const key = expectName();
          expectPunct(':');
          args[key] = parseValue(false);
        }
        expectPunct(')');
      }
      refuseDirectives();
      const selections = isPunct('{') ? parseSelections() : [];
      fields.push({ name, ...(alias && { alias }), args, selections });
    }
    expectPunct('}');
    return fields;
  };

  const operations: OperationNode[] = [];
  while (peek()) {
    if (isPunct('{')) {
      operations.push({ type: 'query', selections: parseSelections() });
      continue;
    }
    const keyword = expectName();
    if (keyword === 'fragment')
      throw new GraphqlRequestError('The simulator does not support fragments', 'unsupported');
    if (keyword !== 'query' && keyword !== 'mutation') {
      throw new GraphqlRequestError(`The simulator does not support ${keyword} operations`, 'unsupported');
    }
    for (const key of Object.keys(defaults)) delete defaults[key];
    const token = peek();
    const name = token?.kind === 'name' ? expectName() : undefined;
    if (isPunct('(')) {
      expectPunct('(');
      while (!isPunct(')')) {
        expectPunct('$');
        const variable = expectName();
        expectPunct(':');
        skipType();
        if (isPunct('=')) {
          expectPunct('=');
          defaults[variable] = parseValue(true);
        }
      }
      expectPunct(')');
    }
    refuseDirectives();
    operations.push({ type: keyword, ...(name && { name }), selections: parseSelections() });
  }
  const operation = operationName
    ? operations.find((candidate) => candidate.name === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) {
    throw new GraphqlRequestError(
      operationName ? `No operation named "${operationName}"` : 'An operation name is required',
      'operationNotFound',
    );
  }
  return operation;
};

const isConnection = (field: FieldNode): boolean =>
  typeof field.args.first === 'number' || typeof field.args.last === 'number';

const nodeSelections = (connection: FieldNode): FieldNode[] => {
  const nodes = connection.selections.find((field) => field.name === 'nodes');
  if (nodes) return nodes.selections;
  const edges = connection.selections.find((field) => field.name === 'edges');
  return edges?.selections.find((field) => field.name === 'node')?.selections ?? [];
};

/**
 * Shopify's calculated query cost, simplified: scalars 0, objects 1, connections 2 + page size × node cost,
 * mutations 10.
 */
export const requestedQueryCost = (operation: OperationNode): number => {
  if (operation.type === 'mutation') return 10;
  const fieldCost = (field: FieldNode): number => {
    if (field.selections.length === 0) return 0;
    if (isConnection(field)) {
      const size = Number(field.args.first ?? field.args.last);
      return 2 + size * (1 + sum(nodeSelections(field).map(fieldCost)));
    }
    return 1 + sum(field.selections.map(fieldCost));
  };
  return sum(operation.selections.map(fieldCost));
};

/** What the query really cost: connections charge for the nodes returned, absent objects for nothing below them. */
export const actualQueryCost = (operation: OperationNode, data: Record<string, unknown>): number => {
  if (operation.type === 'mutation') return 10;
  const fieldCost = (field: FieldNode, value: unknown): number => {
    if (field.selections.length === 0) return 0;
    if (value == null) return 1;
    if (isConnection(field)) {
      const page = value as { nodes?: unknown[]; edges?: Array<{ node?: unknown }> };
      const nodes = page.nodes ?? page.edges?.map((edge) => edge.node) ?? [];
      const selections = nodeSelections(field);
      return 2 + sum(nodes.map((node) => objectCost(selections, node)));
    }
    return objectCost(field.selections, value);
  };
  const objectCost = (selections: FieldNode[], value: unknown): number =>
    1 +
    sum(
      selections.map((field) =>
        fieldCost(field, (value as Record<string, unknown>)[field.alias ?? field.name]),
      ),
    );
  return sum(operation.selections.map((field) => fieldCost(field, data[field.alias ?? field.name])));
};

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

/**
 * Resolved objects carry every field the simulator knows, plus `__typename`; a field may be a function of its
 * arguments. Projection keeps what was selected and rejects fields the type does not have, as Shopify would.
 */
export const project = (value: unknown, selections: FieldNode[]): unknown => {
  if (value == null || selections.length === 0) return value ?? null;
  if (Array.isArray(value)) return value.map((item) => project(item, selections));
  const object = value as Record<string, unknown>;
  const typeName = typeof object.__typename === 'string' ? object.__typename : 'Object';
  const result: Record<string, unknown> = {};
  for (const field of selections) {
    const key = field.alias ?? field.name;
    if (field.name === '__typename') {
      result[key] = typeName;
      continue;
    }
    if (!(field.name in object)) {
      throw new GraphqlRequestError(
        `Field '${field.name}' doesn't exist on type '${typeName}'`,
        'undefinedField',
      );
    }
    const raw = object[field.name];
    const resolved =
      typeof raw === 'function' ? (raw as (args: Record<string, unknown>) => unknown)(field.args) : raw;
    if (
      field.selections.length === 0 &&
      resolved !== null &&
      typeof resolved === 'object' &&
      !Array.isArray(resolved)
    ) {
      throw new GraphqlRequestError(
        `Field must have selections (field '${field.name}' returns an object)`,
        'selectionMismatch',
      );
    }
    result[key] = project(resolved, field.selections);
  }
  return result;
};
