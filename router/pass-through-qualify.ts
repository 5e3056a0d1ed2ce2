/**
 * Whether a subgraph's own answer to the client's document is, byte for byte, the answer the gateway gives after
 * executing its one-fetch plan. The gateway does not hand a subgraph's data through: it reshapes it against the
 * supergraph's API schema (@apollo/gateway's resultShaping.ts), and that differs from what the subgraph's own
 * execution did wherever the two schemas disagree about the selection:
 *
 * - an enum value the subgraph may return but the API schema does not have (`@inaccessible` values): the gateway
 *   nulls it (and the null propagates); the subgraph returns it;
 * - a type condition that holds for a runtime type in one schema and not the other (`... on Node` where `Oven`
 *   implements `Node` only in another subgraph): the gateway applies the fragment, the subgraph does not;
 * - a runtime type the API schema does not have as an object type of that abstract type (`@inaccessible` types, an
 *   `@interfaceObject`, which is an object in its subgraph and an interface in the supergraph): the gateway answers
 *   an error or asks another subgraph for the real `__typename`;
 * - a field whose type the API schema declares non-null where the subgraph's may be null, or of another type;
 * - `__typename` of a root type: the subgraph may call its root `RootQuery`; the gateway answers the supergraph's.
 *
 * Everything else the gateway does to a one-fetch plan's answer (aliases, fragments, @skip/@include, defaults, error
 * mapping, nulls of failed fields) the subgraph's own execution does identically. The check is a walk of the
 * operation over both schemas at once, done once per operation with the plan decision; anything it cannot prove
 * goes through the gateway.
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Why an operation does not qualify (for tests and debugging), or undefined when it does. */
export type Disqualification = string | undefined;

const kindOf = (type: GraphQLNamedType): string =>
  isObjectType(type) ? 'object' : isInterfaceType(type) ? 'interface' : isUnionType(type) ? 'union' : isEnumType(type) ? 'enum' : 'scalar';

/** Same list shape and named type; wherever the API schema promises non-null, the subgraph promises it too. */
function sameShape(api: GraphQLOutputType, sub: GraphQLOutputType): boolean {
  if (isNonNullType(api)) return isNonNullType(sub) && sameShape(api.ofType, sub.ofType);
  if (isNonNullType(sub)) return sameShape(api, sub.ofType); // stricter in the subgraph: its nulls only bubble further up there, before the gateway sees them
  if (isListType(api) || isListType(sub)) return isListType(api) && isListType(sub) && sameShape(api.ofType, sub.ofType);
  return api.name === sub.name && kindOf(api) === kindOf(sub);
}

/** Whether `runtime` (an object type's name) satisfies the type condition `condition` in `schema`. */
function conditionHolds(schema: GraphQLSchema, condition: GraphQLCompositeType, runtime: string): boolean {
  if (condition.name === runtime) return true;
  const type = schema.getType(runtime);
  return isAbstractType(condition) && isObjectType(type) && schema.isSubType(condition, type);
}

/**
 * Undefined when the subgraph `sub`'s answer to `operation` is exactly the gateway's (API schema `api`), else the
 * first reason it may not be.
 */
export function passThroughDisqualification(
  api: GraphQLSchema,
  sub: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Disqualification {
  const apiRoot = api.getRootType(operation.operation);
  const subRoot = sub.getRootType(operation.operation);
  if (!apiRoot || !subRoot) return 'no root type';
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const enumsChecked = new Set<string>();
  const visited = new Set<string>();

  /** The runtime types the subgraph may return where a field of type `named` is, or a reason it must not be passed. */
  const runtimesOf = (apiNamed: GraphQLNamedType, subNamed: GraphQLNamedType): readonly string[] | string => {
    if (isObjectType(subNamed)) return [subNamed.name];
    if (!isAbstractType(apiNamed) || !isAbstractType(subNamed)) return `${subNamed.name} is not abstract in both schemas`;
    const apiPossible = new Set(api.getPossibleTypes(apiNamed).map((type) => type.name));
    const runtimes = sub.getPossibleTypes(subNamed).map((type) => type.name);
    const unknown = runtimes.find((name) => !apiPossible.has(name));
    return unknown ? `${unknown} is a possible ${subNamed.name} in the subgraph only` : runtimes;
  };

  const walk = (set: SelectionSetNode, apiParent: GraphQLCompositeType, subParent: GraphQLCompositeType, runtimes: readonly string[]): Disqualification => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename') {
          if (apiParent === apiRoot) return 'root __typename (a subgraph may name its root types otherwise)';
          continue;
        }
        if (isUnionType(apiParent) || isUnionType(subParent)) return `${name} on a union`;
        const apiField = apiParent.getFields()[name];
        const subField = subParent.getFields()[name];
        if (!apiField || !subField) return `${apiParent.name}.${name} is not in both schemas`;
        if (!sameShape(apiField.type, subField.type)) return `${apiParent.name}.${name} has another type in the subgraph`;
        const apiNamed = getNamedType(apiField.type);
        const subNamed = getNamedType(subField.type);
        if (isEnumType(apiNamed) && isEnumType(subNamed)) {
          if (!enumsChecked.has(apiNamed.name)) {
            const values = new Set(apiNamed.getValues().map((value) => value.name));
            const hidden = subNamed.getValues().find((value) => !values.has(value.name));
            if (hidden) return `enum ${apiNamed.name} has ${hidden.name}, which clients cannot see`;
            enumsChecked.add(apiNamed.name);
          }
        } else if (isCompositeType(apiNamed) && isCompositeType(subNamed) && selection.selectionSet) {
          const fieldRuntimes = runtimesOf(apiNamed, subNamed);
          if (typeof fieldRuntimes === 'string') return fieldRuntimes;
          const reason = walk(selection.selectionSet, apiNamed, subNamed, fieldRuntimes);
          if (reason) return reason;
        }
        continue;
      }
      let conditionName: string | undefined;
      let selectionSet: SelectionSetNode;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        conditionName = selection.typeCondition?.name.value;
        selectionSet = selection.selectionSet;
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) return `unknown fragment ${selection.name.value}`;
        conditionName = fragment.typeCondition.name.value;
        selectionSet = fragment.selectionSet;
      }
      const apiCondition = conditionName ? api.getType(conditionName) : apiParent;
      const subCondition = conditionName ? sub.getType(conditionName) : subParent;
      if (!apiCondition || !subCondition || !isCompositeType(apiCondition) || !isCompositeType(subCondition)) return `type ${conditionName} is not in both schemas`;
      if (kindOf(apiCondition) !== kindOf(subCondition)) return `${conditionName} is a ${kindOf(subCondition)} in the subgraph, a ${kindOf(apiCondition)} in the supergraph`;
      const applies = runtimes.filter((runtime) => conditionHolds(sub, subCondition, runtime));
      const differs = runtimes.find((runtime) => conditionHolds(api, apiCondition, runtime) !== applies.includes(runtime));
      if (differs) return `... on ${conditionName} ${applies.includes(differs) ? 'holds' : 'does not hold'} for ${differs} in the subgraph only`;
      if (applies.length === 0) continue; // applies to nothing here, in both
      // Fragments are walked once per place they can apply; a shop's documents are small and this runs once per operation.
      const key = selection.kind === Kind.FRAGMENT_SPREAD ? `${selection.name.value}|${apiParent.name}|${applies.join(',')}` : undefined;
      if (key && visited.has(key)) continue;
      if (key) visited.add(key);
      const reason = walk(selectionSet, apiCondition, subCondition, applies);
      if (reason) return reason;
    }
    return undefined;
  };

  if (apiRoot.name !== subRoot.name) return 'root types named differently';
  return walk(operation.selectionSet, apiRoot, subRoot, [subRoot.name]);
}
