import {
  type ASTNode,
  type DocumentNode,
  FieldsOnCorrectTypeRule,
  type GraphQLArgument,
  type GraphQLError,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  KnownArgumentNamesRule,
  KnownTypeNamesRule,
  NoUndefinedVariablesRule,
  NoUnusedVariablesRule,
  type OperationDefinitionNode,
  ProvidedRequiredArgumentsRule,
  print,
  ScalarLeafsRule,
  specifiedRules,
  TypeInfo,
  typeFromAST,
  type ValidationRule,
  ValuesOfCorrectTypeRule,
  VariablesInAllowedPositionRule,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/**
 * graphql-js finds what is wrong with a request; this module says it the way Shopify's Admin API (graphql-ruby)
 * does: the same `message` wording, `locations`, `path` (`["query Name", field, argument]`) and `extensions.code`
 * (`undefinedField`, `argumentNotAccepted`, `missingRequiredArguments`, `variableMismatch`,
 * `argumentLiteralsIncompatible`, `INVALID_VARIABLE`, …). Codes and wording follow graphql-ruby's static validation
 * errors (lib/graphql/static_validation/rules/*_error.rb) and Shopify's published answers; anything graphql-js
 * reports that has no Shopify counterpart here keeps graphql-js's message.
 */
export interface ShopifyGraphqlError {
  message: string;
  locations?: Array<{ line: number; column: number }>;
  path?: Array<string | number>;
  extensions?: Record<string, unknown>;
}

interface NodeInfo {
  /** graphql-ruby's path to the node */
  path: string[];
  parentType?: GraphQLNamedType | undefined;
  fieldDef?: GraphQLField<unknown, unknown> | undefined;
  /** the argument or input field a value sits in */
  argument?: GraphQLArgument | GraphQLInputField | undefined;
  inputType?: GraphQLInputType | undefined;
  /** the innermost Field, Argument and ObjectField around the node */
  field?: ASTNode | undefined;
  argumentNode?: ASTNode | undefined;
  objectField?: ASTNode | undefined;
  /** the input object type that holds the innermost ObjectField */
  inputObjectType?: GraphQLNamedType | undefined;
}

const segment = (node: ASTNode): string | undefined => {
  switch (node.kind) {
    case Kind.OPERATION_DEFINITION:
      return `${node.operation}${node.name ? ` ${node.name.value}` : ''}`;
    case Kind.FRAGMENT_DEFINITION:
      return `fragment ${node.name.value}`;
    case Kind.FIELD:
      return node.alias?.value ?? node.name.value;
    case Kind.INLINE_FRAGMENT:
      return node.typeCondition ? `... on ${node.typeCondition.name.value}` : '...';
    case Kind.ARGUMENT:
    case Kind.OBJECT_FIELD:
      return node.name.value;
    default:
      return undefined;
  }
};

const isNode = (value: unknown): value is ASTNode =>
  typeof value === 'object' && value !== null && 'kind' in value && !Array.isArray(value);

/** One pass over the document with graphql-js's TypeInfo, remembering what each error converter needs to know. */
const describeNodes = (schema: GraphQLSchema, document: DocumentNode): Map<ASTNode, NodeInfo> => {
  const typeInfo = new TypeInfo(schema);
  const infos = new Map<ASTNode, NodeInfo>();
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      enter(node, _key, parent, _path, ancestors) {
        // graphql-js's ancestors stop short of the parent.
        const chain = [...ancestors, parent, node].filter(isNode);
        const innermost = (kind: Kind) => chain.findLast((candidate) => candidate.kind === kind);
        const objectField = innermost(Kind.OBJECT_FIELD);
        const objectFieldIndex = objectField ? chain.lastIndexOf(objectField) : -1;
        const holder = objectFieldIndex > 0 ? chain[objectFieldIndex - 1] : undefined;
        infos.set(node, {
          path: chain.map(segment).filter((part): part is string => part !== undefined),
          parentType: typeInfo.getParentType() ?? undefined,
          fieldDef: typeInfo.getFieldDef() ?? undefined,
          argument: typeInfo.getArgument() ?? undefined,
          inputType: typeInfo.getInputType() ?? undefined,
          field: innermost(Kind.FIELD),
          argumentNode: innermost(Kind.ARGUMENT),
          objectField,
          inputObjectType: holder ? getNamedType(infos.get(holder)?.inputType ?? undefined) : undefined,
        });
      },
    }),
  );
  return infos;
};

const locationsOf = (nodes: readonly ASTNode[] | undefined) =>
  (nodes ?? [])
    .map((node) => node.loc?.startToken)
    .filter((token) => token !== undefined)
    .map((token) => ({ line: token.line, column: token.column }));

const nameOf = (node: ASTNode | undefined): string =>
  node && 'name' in node && node.name && typeof node.name === 'object' && 'value' in node.name
    ? String(node.name.value)
    : '';
const responseNameOf = (node: ASTNode | undefined): string =>
  node?.kind === Kind.FIELD ? (node.alias?.value ?? node.name.value) : nameOf(node);

const operationLabel = (operation: ASTNode | undefined): string =>
  operation?.kind === Kind.OPERATION_DEFINITION
    ? (operation.name?.value ?? `anonymous ${operation.operation}`)
    : 'anonymous query';

type Converter = (error: GraphQLError, infos: Map<ASTNode, NodeInfo>) => ShopifyGraphqlError | undefined;

const located = (node: ASTNode, infos: Map<ASTNode, NodeInfo>) => ({
  locations: locationsOf([node]),
  path: infos.get(node)?.path ?? [],
});

const listDepth = (type: string): number => (type.match(/\[/g) ?? []).length;

const converters = new Map<ValidationRule, Converter>([
  [
    FieldsOnCorrectTypeRule,
    (error, infos) => {
      const node = error.nodes?.[0];
      if (node?.kind !== Kind.FIELD) return undefined;
      const typeName = infos.get(node)?.parentType?.name ?? '?';
      return {
        message: `Field '${node.name.value}' doesn't exist on type '${typeName}'`,
        ...located(node, infos),
        extensions: { code: 'undefinedField', typeName, fieldName: node.name.value },
      };
    },
  ],
  [
    KnownArgumentNamesRule,
    (error, infos) => {
      const node = error.nodes?.[0];
      if (node?.kind !== Kind.ARGUMENT) return undefined;
      const info = infos.get(node);
      const owner = info?.field;
      const name = responseNameOf(owner);
      return {
        message: `Field '${name}' doesn't accept argument '${node.name.value}'`,
        ...located(node, infos),
        extensions: { code: 'argumentNotAccepted', name, typeName: 'Field', argumentName: node.name.value },
      };
    },
  ],
  [
    VariablesInAllowedPositionRule,
    (error, infos) => {
      const [definition, usage] = error.nodes ?? [];
      if (definition?.kind !== Kind.VARIABLE_DEFINITION || usage?.kind !== Kind.VARIABLE) return undefined;
      const info = infos.get(usage);
      const variableType = print(definition.type);
      const expected = info?.inputType ? String(info.inputType) : '?';
      const argumentName = nameOf(info?.objectField ?? info?.argumentNode);
      const kind =
        listDepth(variableType) !== listDepth(expected)
          ? 'List dimension mismatch'
          : getNamedType(info?.inputType ?? undefined)?.name === variableType.replace(/[[\]!]/g, '')
            ? 'Nullability mismatch'
            : 'Type mismatch';
      const holder = info?.objectField ?? info?.argumentNode ?? usage;
      return {
        message: `${kind} on variable $${usage.name.value} and argument ${argumentName} (${variableType} / ${expected})`,
        ...located(holder, infos),
        extensions: {
          code: 'variableMismatch',
          variableName: usage.name.value,
          typeName: variableType,
          argumentName,
          errorMessage: kind,
        },
      };
    },
  ],
  [
    ValuesOfCorrectTypeRule,
    (error, infos) => {
      const node = error.nodes?.[0];
      if (!node) return undefined;
      const info = infos.get(node);
      if (node.kind === Kind.OBJECT_FIELD && /unknown field/.test(error.message)) {
        const name = info?.inputObjectType?.name ?? '?';
        return {
          message: `InputObject '${name}' doesn't accept argument '${node.name.value}'`,
          ...located(node, infos),
          extensions: {
            code: 'argumentNotAccepted',
            name,
            typeName: 'InputObject',
            argumentName: node.name.value,
          },
        };
      }
      const required = /to include required field "(\w+)"/.exec(error.message);
      if (node.kind === Kind.OBJECT && required) {
        const inputObjectType = getNamedType(info?.inputType ?? undefined);
        const field = isInputObjectType(inputObjectType)
          ? inputObjectType.getFields()[required[1] as string]
          : undefined;
        return {
          message: `Argument '${required[1]}' on InputObject '${inputObjectType?.name}' is required. Expected type ${field ? String(field.type) : '?'}`,
          ...located(node, infos),
          extensions: {
            code: 'missingRequiredInputObjectAttribute',
            argumentName: required[1],
            argumentType: field ? String(field.type) : undefined,
            inputObjectType: inputObjectType?.name,
          },
        };
      }
      // A literal that does not fit (unknown enum value, wrong scalar): graphql-ruby names the argument it is in.
      const holder = info?.objectField ?? info?.argumentNode;
      const holderInfo = holder ? infos.get(holder) : undefined;
      const onInputObject = info?.objectField !== undefined;
      const ownerKind = onInputObject ? 'InputObject' : 'Field';
      const ownerName = onInputObject ? (info?.inputObjectType?.name ?? '?') : nameOf(info?.field);
      const argumentName = nameOf(holder);
      const expected = holderInfo?.argument ? String(holderInfo.argument.type) : '?';
      const value = holder && 'value' in holder && isNode(holder.value) ? print(holder.value) : print(node);
      return {
        message: `Argument '${argumentName}' on ${ownerKind} '${ownerName}' has an invalid value (${value}). Expected type '${expected}'.`,
        ...located(holder ?? node, infos),
        extensions: { code: 'argumentLiteralsIncompatible', typeName: ownerKind, argumentName },
      };
    },
  ],
  [
    ScalarLeafsRule,
    (error, infos) => {
      const node = error.nodes?.[0];
      if (node?.kind === Kind.FIELD) {
        const type = infos.get(node)?.fieldDef?.type;
        const typeName = type ? String(type) : '?';
        return {
          message: `Field must have selections (field '${node.name.value}' returns ${typeName} but has no selections. Did you mean '${node.name.value} { ... }'?)`,
          ...located(node, infos),
          extensions: { code: 'selectionMismatch', nodeName: `field '${node.name.value}'`, typeName },
        };
      }
      if (node?.kind === Kind.SELECTION_SET) {
        const field = [...infos.entries()].find(
          ([candidate]) => candidate.kind === Kind.FIELD && candidate.selectionSet === node,
        );
        if (!field || field[0].kind !== Kind.FIELD) return undefined;
        const typeName = field[1].fieldDef ? String(field[1].fieldDef.type) : '?';
        const selected = node.selections.map((selection) => nameOf(selection)).join(', ');
        return {
          message: `Selections can't be made on scalars (field '${field[0].name.value}' returns ${typeName} but has selections [${selected}])`,
          ...located(field[0], infos),
          extensions: { code: 'selectionMismatch', nodeName: `field '${field[0].name.value}'`, typeName },
        };
      }
      return undefined;
    },
  ],
  [
    NoUndefinedVariablesRule,
    (error, infos) => {
      const [usage, operation] = error.nodes ?? [];
      if (usage?.kind !== Kind.VARIABLE) return undefined;
      return {
        message: `Variable $${usage.name.value} is used by ${operationLabel(operation)} but not declared`,
        ...located(usage, infos),
        extensions: { code: 'variableNotDefined', variableName: usage.name.value },
      };
    },
  ],
  [
    NoUnusedVariablesRule,
    (error, infos) => {
      const definition = error.nodes?.[0];
      if (definition?.kind !== Kind.VARIABLE_DEFINITION) return undefined;
      const operation = [...infos.keys()].find(
        (candidate) =>
          candidate.kind === Kind.OPERATION_DEFINITION && candidate.variableDefinitions?.includes(definition),
      );
      return {
        message: `Variable $${definition.variable.name.value} is declared by ${operationLabel(operation)} but not used`,
        ...located(definition, infos),
        extensions: { code: 'variableNotUsed', variableName: definition.variable.name.value },
      };
    },
  ],
  [
    KnownTypeNamesRule,
    (error, infos) => {
      const node = error.nodes?.[0];
      if (node?.kind !== Kind.NAMED_TYPE) return undefined;
      const definition = [...infos.keys()].find(
        (candidate) =>
          candidate.kind === Kind.VARIABLE_DEFINITION && print(candidate.type).includes(node.name.value),
      );
      if (definition?.kind === Kind.VARIABLE_DEFINITION) {
        return {
          message: `${node.name.value} isn't a defined input type (on $${definition.variable.name.value})`,
          ...located(definition, infos),
          extensions: {
            code: 'variableRequiresValidType',
            typeName: node.name.value,
            variableName: definition.variable.name.value,
          },
        };
      }
      return {
        message: `No such type ${node.name.value}, so it can't be a fragment condition`,
        ...located(node, infos),
        extensions: { code: 'undefinedType', typeName: node.name.value },
      };
    },
  ],
]);

/** graphql-js reports each missing argument apart; graphql-ruby lists them in one error per field. */
const missingArguments = (errors: readonly GraphQLError[], infos: Map<ASTNode, NodeInfo>) => {
  const byField = new Map<ASTNode, string[]>();
  for (const error of errors) {
    const node = error.nodes?.[0];
    const argument = /\((\w+):\)/.exec(error.message)?.[1];
    if (!node || !argument) continue;
    byField.set(node, [...(byField.get(node) ?? []), argument]);
  }
  return [...byField].map(([node, names]): ShopifyGraphqlError => {
    const className = node.kind === Kind.DIRECTIVE ? 'Directive' : 'Field';
    return {
      message: `${className} '${nameOf(node)}' is missing required arguments: ${names.join(', ')}`,
      ...located(node, infos),
      extensions: {
        code: 'missingRequiredArguments',
        className,
        name: nameOf(node),
        arguments: names.join(', '),
      },
    };
  });
};

const ruleCode = (rule: ValidationRule): string => {
  const name = rule.name.replace(/Rule$/, '');
  return name.charAt(0).toLowerCase() + name.slice(1);
};

const byPosition = (a: ShopifyGraphqlError, b: ShopifyGraphqlError) =>
  (a.locations?.[0]?.line ?? 0) - (b.locations?.[0]?.line ?? 0) ||
  (a.locations?.[0]?.column ?? 0) - (b.locations?.[0]?.column ?? 0);

/**
 * Validates a parsed request against the schema, each graphql-js rule on its own so every error is known by the
 * rule that found it, and answers the errors in Shopify's words. An empty list means the document is valid.
 */
export const validateLikeShopify = (
  schema: GraphQLSchema,
  document: DocumentNode,
  extraRules: readonly ValidationRule[] = [],
): ShopifyGraphqlError[] => {
  let infos: Map<ASTNode, NodeInfo> | undefined;
  const described = () => {
    infos ??= describeNodes(schema, document);
    return infos;
  };
  const found: ShopifyGraphqlError[] = [];
  for (const rule of [...specifiedRules, ...extraRules]) {
    const errors = validate(schema, document, [rule], { maxErrors: 50 });
    if (errors.length === 0) continue;
    if (rule === ProvidedRequiredArgumentsRule) {
      found.push(...missingArguments(errors, described()));
      continue;
    }
    const convert = converters.get(rule);
    for (const error of errors) {
      const converted = convert?.(error, described());
      found.push(
        converted ?? {
          message: error.message,
          locations: locationsOf(error.nodes),
          extensions: { code: ruleCode(rule) },
        },
      );
    }
  }
  return found.sort(byPosition);
};

export interface VariableProblem {
  path: Array<string | number>;
  explanation: string;
}

const globalIdPattern = /^gid:\/\/shopify\/[A-Za-z]+\/.+$/;

/**
 * graphql-ruby's coercion problems for one variable value, with Shopify's own rule on top: an `ID` is a global id
 * (`gid://shopify/Order/1`), so a bare number is refused as "Invalid global id".
 */
const problemsOf = (
  value: unknown,
  type: GraphQLInputType,
  path: Array<string | number>,
): VariableProblem[] => {
  if (isNonNullType(type)) {
    if (value === null || value === undefined)
      return [{ path, explanation: 'Expected value to not be null' }];
    return problemsOf(value, type.ofType, path);
  }
  if (value === null || value === undefined) return [];
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    return items.flatMap((item, index) =>
      problemsOf(item, type.ofType, Array.isArray(value) ? [...path, index] : path),
    );
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      return [{ path, explanation: `Expected ${JSON.stringify(value)} to be a key-value object.` }];
    }
    const fields = type.getFields();
    const given = value as Record<string, unknown>;
    const unknown = Object.keys(given)
      .filter((key) => !(key in fields))
      .map((key) => ({ path: [...path, key], explanation: `Field is not defined on ${type.name}` }));
    const known = Object.values(fields).flatMap((field) =>
      field.name in given || field.defaultValue === undefined
        ? problemsOf(given[field.name], field.type, [...path, field.name])
        : [],
    );
    return [...unknown, ...known];
  }
  if (isEnumType(type)) {
    const names = type.getValues().map((enumValue) => enumValue.name);
    return typeof value === 'string' && names.includes(value)
      ? []
      : [{ path, explanation: `Expected ${JSON.stringify(value)} to be one of: ${names.join(', ')}` }];
  }
  if (isScalarType(type)) {
    let coerced: unknown;
    try {
      coerced = type.parseValue(value);
    } catch {
      coerced = undefined;
    }
    if (coerced === undefined) {
      return [{ path, explanation: `Could not coerce value ${JSON.stringify(value)} to ${type.name}` }];
    }
    if (type.name === 'ID' && typeof coerced === 'string' && !globalIdPattern.test(coerced)) {
      return [{ path, explanation: `Invalid global id \`${coerced}\`` }];
    }
  }
  return [];
};

/** INVALID_VARIABLE errors, one per variable whose value does not fit its declared type. */
export const invalidVariables = (
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): ShopifyGraphqlError[] =>
  (operation.variableDefinitions ?? []).flatMap((definition): ShopifyGraphqlError[] => {
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) return [];
    const name = definition.variable.name.value;
    const provided = name in variables;
    if (!provided && definition.defaultValue) return [];
    const problems = problemsOf(variables[name], type, []);
    if (problems.length === 0) return [];
    const nested = problems.filter((problem) => problem.path.length > 0);
    const detail =
      nested.length > 0
        ? ` for ${nested.map((problem) => `${problem.path.join('.')} (${problem.explanation})`).join(', ')}`
        : '';
    return [
      {
        message: `Variable $${name} of type ${print(definition.type)} was provided invalid value${detail}`,
        locations: locationsOf([definition]),
        extensions: { code: 'INVALID_VARIABLE', value: variables[name] ?? null, problems },
      },
    ];
  });
