import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  isCompositeType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableValues,
} from 'graphql';

/**
 * Shopify's calculated query cost, simplified: scalars and enums 0, objects 1, connections 2 + page size × the cost
 * of one node, mutations 10. `actual` charges connections for the nodes returned and absent objects for nothing
 * below them, as Shopify's `actualQueryCost` does.
 */
export interface CostContext {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: VariableValues | undefined;
}

interface SelectedField {
  node: FieldNode;
  parent: GraphQLCompositeType;
}

/** The fields of a selection set, fragments inlined, each with the type it is selected on. */
const fieldsOf = (
  context: CostContext,
  selectionSet: SelectionSetNode | undefined,
  parent: GraphQLCompositeType,
): SelectedField[] =>
  (selectionSet?.selections ?? []).flatMap((selection): SelectedField[] => {
    if (selection.kind === Kind.FIELD) return [{ node: selection, parent }];
    const fragment =
      selection.kind === Kind.INLINE_FRAGMENT ? selection : context.fragments.get(selection.name.value);
    if (!fragment) return [];
    const conditionName = fragment.typeCondition?.name.value;
    const condition = conditionName ? context.schema.getType(conditionName) : parent;
    return isCompositeType(condition) ? fieldsOf(context, fragment.selectionSet, condition) : [];
  });

const pageSize = (context: CostContext, field: SelectedField): number | undefined => {
  const definition =
    'getFields' in field.parent ? field.parent.getFields()[field.node.name.value] : undefined;
  if (!definition || !getNamedType(definition.type).name.endsWith('Connection')) return undefined;
  let args: Record<string, unknown> = {};
  try {
    args = getArgumentValues(definition, field.node, context.variables);
  } catch {
    return undefined;
  }
  const size = args.first ?? args.last;
  return typeof size === 'number' ? size : undefined;
};

const idsArgument = (context: CostContext, field: SelectedField): number | undefined => {
  const definition =
    'getFields' in field.parent ? field.parent.getFields()[field.node.name.value] : undefined;
  if (!definition) return undefined;
  try {
    const { ids } = getArgumentValues(definition, field.node, context.variables);
    return Array.isArray(ids) ? ids.length : undefined;
  } catch {
    return undefined;
  }
};

const fieldType = (field: SelectedField): GraphQLCompositeType | undefined => {
  if (!('getFields' in field.parent)) return undefined;
  const definition = field.parent.getFields()[field.node.name.value];
  const named = definition ? getNamedType(definition.type) : undefined;
  return named && isCompositeType(named) ? named : undefined;
};

/** The selection of one node of a connection: `nodes { … }` or `edges { node { … } }`. */
const nodeSelection = (context: CostContext, connection: SelectedField) => {
  const type = fieldType(connection);
  if (!type) return undefined;
  const children = fieldsOf(context, connection.node.selectionSet, type);
  const nodes = children.find((child) => child.node.name.value === 'nodes');
  if (nodes) return nodes;
  const edges = children.find((child) => child.node.name.value === 'edges');
  const edgeType = edges ? fieldType(edges) : undefined;
  return edges && edgeType
    ? fieldsOf(context, edges.node.selectionSet, edgeType).find((child) => child.node.name.value === 'node')
    : undefined;
};

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

const rootType = (context: CostContext): GraphQLObjectType | undefined =>
  context.schema.getRootType(context.operation.operation) ?? undefined;

export const requestedQueryCost = (context: CostContext): number => {
  if (context.operation.operation === 'mutation') return 10;
  const fieldCost = (field: SelectedField): number => {
    const type = fieldType(field);
    if (!type) return 0;
    const size = pageSize(context, field);
    if (size !== undefined) {
      const node = nodeSelection(context, field);
      const nodeType = node ? fieldType(node) : undefined;
      const perNode =
        node && nodeType ? sum(fieldsOf(context, node.node.selectionSet, nodeType).map(fieldCost)) : 0;
      return 2 + size * (1 + perNode);
    }
    const children = 1 + sum(fieldsOf(context, field.node.selectionSet, type).map(fieldCost));
    // A list fetched by ids (`nodes(ids:)`) costs each object it may return.
    const ids = idsArgument(context, field);
    return ids === undefined ? children : ids * children;
  };
  const root = rootType(context);
  return root ? sum(fieldsOf(context, context.operation.selectionSet, root).map(fieldCost)) : 0;
};

export const actualQueryCost = (
  context: CostContext,
  data: Record<string, unknown> | null | undefined,
): number => {
  if (context.operation.operation === 'mutation') return 10;
  const selected = (parent: unknown, field: SelectedField) =>
    parent && typeof parent === 'object'
      ? (parent as Record<string, unknown>)[field.node.alias?.value ?? field.node.name.value]
      : undefined;
  const objectCost = (field: SelectedField, value: unknown): number => {
    const type = fieldType(field);
    if (!type) return 0;
    if (value === undefined) return 0;
    if (value === null) return 1;
    if (Array.isArray(value)) return sum(value.map((item) => objectCost(field, item)));
    if (pageSize(context, field) !== undefined) {
      const page = value as { nodes?: unknown[]; edges?: Array<{ node?: unknown }> };
      const nodes = page.nodes ?? page.edges?.map((edge) => edge.node) ?? [];
      const node = nodeSelection(context, field);
      const nodeType = node ? fieldType(node) : undefined;
      const children = node && nodeType ? fieldsOf(context, node.node.selectionSet, nodeType) : [];
      return (
        2 +
        sum(nodes.map((item) => 1 + sum(children.map((child) => objectCost(child, selected(item, child))))))
      );
    }
    return (
      1 +
      sum(
        fieldsOf(context, field.node.selectionSet, type).map((child) =>
          objectCost(child, selected(value, child)),
        ),
      )
    );
  };
  const root = rootType(context);
  return root
    ? sum(
        fieldsOf(context, context.operation.selectionSet, root).map((field) =>
          objectCost(field, selected(data, field)),
        ),
      )
    : 0;
};
