/**
 * Operation limits at the router, checked after parsing and validation and before the gateway plans anything, so a
 * hostile operation costs the router milliseconds and the subgraphs nothing (docs/limits.md). Depth, aliases and
 * directives are graphql-armor's validation rules; root fields and the list-aware cost are small rules of ours
 * (armor's cost rule does not multiply by list sizes). Tokens are counted by graphql-js while parsing
 * (`parseOptions.maxTokens`), so a huge document is refused before it is ever built.
 * Every refusal is HTTP 400 with `extensions: { code: 'BAD_USER_INPUT', limit, max }`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  validate,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLOutputType,
  type GraphQLSchema,
  type FieldNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { OperationLimits } from '../platform/config';
import { shopError } from '../platform/errors';

export type LimitName = 'depth' | 'aliases' | 'rootFields' | 'tokens' | 'directives' | 'cost';

function limitError(limit: LimitName, max: number, found: number | undefined, message: string) {
  return shopError('BAD_USER_INPUT', message, { limit, max, ...(found === undefined ? {} : { found }) });
}

/** armor reports through `onReject` with its own message ("… limit of N exceeded, found M."); we re-tag it. */
function armorReject(limit: LimitName, max: number) {
  return (context: ValidationContext | null, error: Error) => {
    const found = Number(/found (\d+)/.exec(error.message)?.[1]);
    context?.reportError(
      limitError(limit, max, Number.isFinite(found) ? found : undefined, `Operation refused: ${error.message.replace(/^Syntax Error: /, '')}`),
    );
  };
}

/** Top-level fields of each operation, fragments included; `__typename` is free. */
export function maxRootFieldsRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const seen = new Set<string>();
      const count = (set: SelectionSetNode): number =>
        set.selections.reduce((sum, selection) => {
          if (selection.kind === Kind.FIELD) return sum + (selection.name.value === '__typename' ? 0 : 1);
          if (selection.kind === Kind.INLINE_FRAGMENT) return sum + count(selection.selectionSet);
          const fragment = context.getFragment(selection.name.value);
          if (!fragment || seen.has(fragment.name.value)) return sum;
          seen.add(fragment.name.value);
          return sum + count(fragment.selectionSet);
        }, 0);
      const found = count(operation.selectionSet);
      if (found > max) {
        context.reportError(limitError('rootFields', max, found, `Operation refused: ${found} root fields, at most ${max}`));
      }
    },
  });
}

export interface CostOptions {
  max: number;
  /** Size assumed for a list (or connection) without a `first` argument. */
  defaultListSize: number;
  /** Largest `first` the subgraphs accept: a bigger one is refused there, so it never costs more. */
  maxPageSize: number;
  variables?: Record<string, unknown>;
}

function isListOutput(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** A Relay connection: its `edges`/`nodes` lists are as long as the connection field's `first`. */
function isConnection(type: GraphQLCompositeType): boolean {
  return isObjectType(type) && type.name.endsWith('Connection') && 'edges' in type.getFields();
}

/**
 * Estimated cost of an operation: the number of objects it can return. Each object-typed field counts once per
 * parent object; a list multiplies what is under it by its `first` (else by `defaultListSize`); a connection's
 * `edges`/`nodes` take the connection field's `first`. Scalars and introspection are free. Linear in the document:
 * the cost of a selection set is computed per unit of parent and fragments are memoised.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  selectionSet: SelectionSetNode,
  rootType: GraphQLCompositeType,
  options: CostOptions,
): number {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const memo = new Map<string, number>();
  const inProgress = new Set<string>();

  const firstOf = (field: FieldNode): number | undefined => {
    const argument = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
    if (!argument) return undefined;
    let value: unknown;
    if (argument.value.kind === Kind.INT) value = Number(argument.value.value);
    else if (argument.value.kind === Kind.VARIABLE) value = options.variables?.[argument.value.name.value];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
    return Math.min(value, options.maxPageSize);
  };

  const fieldDef = (parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined =>
    isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;

  /** Cost of `set` for one object of `parent`; `connectionFirst` is set when `parent` is a connection. */
  const unitCost = (set: SelectionSetNode, parent: GraphQLCompositeType, connectionFirst: number | undefined): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__') || !selection.selectionSet) continue;
        const def = fieldDef(parent, selection.name.value);
        if (!def) continue;
        const type = getNamedType(def.type);
        if (!isCompositeType(type)) continue;
        const first = firstOf(selection);
        let size = 1;
        if (isListOutput(def.type)) {
          const connectionList = connectionFirst !== undefined && ['edges', 'nodes'].includes(selection.name.value);
          size = first ?? (connectionList ? connectionFirst : options.defaultListSize);
        }
        const childConnectionFirst = isConnection(type) ? (first ?? options.defaultListSize) : undefined;
        total += size * (1 + unitCost(selection.selectionSet, type, childConnectionFirst));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (condition && isCompositeType(condition)) total += unitCost(selection.selectionSet, condition, connectionFirst);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const condition = schema.getType(fragment.typeCondition.name.value);
        if (!condition || !isCompositeType(condition)) continue;
        const key = `${fragment.name.value}:${parent.name}:${connectionFirst}`;
        if (inProgress.has(key)) continue; // a cycle: refused by NoFragmentCycles anyway
        if (!memo.has(key)) {
          inProgress.add(key);
          memo.set(key, unitCost(fragment.selectionSet, condition, connectionFirst));
          inProgress.delete(key);
        }
        total += memo.get(key)!;
      }
      // Past any sane bound the exact number does not matter; stop growing towards Infinity.
      if (total > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
    }
    return total;
  };

  return unitCost(selectionSet, rootType, undefined);
}

export function costLimitRule(options: CostOptions): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const root = schema.getRootType(operation.operation);
      if (!root) return;
      const found = operationCost(schema, context.getDocument(), operation.selectionSet, root, options);
      if (found > options.max) {
        context.reportError(
          limitError('cost', options.max, found, `Operation refused: estimated cost ${found} exceeds ${options.max} (lists count their \`first\`, ${options.defaultListSize} when unbounded)`),
        );
      }
    },
  });
}

/** The limits that depend on the document alone: all but the cost, which reads the request's variables. */
export function documentLimitRules(limits: OperationLimits): ValidationRule[] {
  const armor = (limit: LimitName, n: number) => ({ n, exposeLimits: true, propagateOnRejection: false, onReject: [armorReject(limit, n)] });
  return [
    // Introspection (the explorer's schema query) nests deeper than any operation; its own shape bounds it.
    maxDepthRule({ ...armor('depth', limits.maxDepth), ignoreIntrospection: true }),
    maxAliasesRule(armor('aliases', limits.maxAliases)),
    maxDirectivesRule(armor('directives', limits.maxDirectives)),
    maxRootFieldsRule(limits.maxRootFields),
  ];
}

export function limitRules(limits: OperationLimits, extra: { maxPageSize: number; variables?: Record<string, unknown> }): ValidationRule[] {
  return [
    ...documentLimitRules(limits),
    costLimitRule({ max: limits.maxCost, defaultListSize: limits.defaultListSize, maxPageSize: extra.maxPageSize, variables: extra.variables }),
  ];
}

/**
 * The plugin: runs the limit rules on the parsed, validated document before the gateway plans it. It runs in
 * `didResolveOperation` rather than as Apollo `validationRules` so the refusal keeps its own code (Apollo would
 * relabel it GRAPHQL_VALIDATION_FAILED) and sees the request's variables (`first: $n`).
 *
 * Apollo Server hands every request of the same query text the same cached document, so what depends on the
 * document alone is checked once per document (a full validation pass per request was a measurable share of the
 * router's CPU); only the cost, which depends on the variables, is computed per request. Any refusal is worked out
 * by the full pass, so its errors are exactly those of running every rule.
 */
export function operationLimitsPlugin(limits: OperationLimits, maxPageSize: number): ApolloServerPlugin<any> {
  const withinDocumentLimits = new WeakMap<DocumentNode, boolean>();
  const staticRules = documentLimitRules(limits);
  const costOptions = { max: limits.maxCost, defaultListSize: limits.defaultListSize, maxPageSize };
  const withinCost = (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined) =>
    document.definitions.every((definition) => {
      if (definition.kind !== Kind.OPERATION_DEFINITION) return true;
      const root = schema.getRootType(definition.operation);
      return !root || operationCost(schema, document, definition.selectionSet, root, { ...costOptions, variables }) <= limits.maxCost;
    });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, request }) {
          let withinLimits = withinDocumentLimits.get(document);
          if (withinLimits === undefined) {
            withinLimits = validate(schema, document, staticRules).length === 0;
            withinDocumentLimits.set(document, withinLimits);
          }
          if (withinLimits && withinCost(schema, document, request.variables)) return;
          const errors = validate(schema, document, limitRules(limits, { maxPageSize, variables: request.variables }));
          if (errors.length === 0) return;
          // Apollo answers the first error thrown here; the others are in the message of the first.
          const [first, ...rest] = errors;
          throw shopError('BAD_USER_INPUT', [first.message, ...rest.map((e) => e.message)].join(' '), {
            ...first.extensions,
            ...(rest.length ? { also: rest.map((e) => e.extensions.limit) } : {}),
            http: { status: 400 },
          });
        },
      };
    },
  };
}

/** graphql-js aborts parsing past `maxTokens` with a syntax error; tag it like the other limits. */
export function tagTokenLimit(maxTokens: number) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    if (formatted.extensions?.code !== 'GRAPHQL_PARSE_FAILED' || !/more th(?:an|at) \d+ tokens/.test(formatted.message)) return formatted;
    return {
      message: `Operation refused: the document has more than ${maxTokens} tokens`,
      extensions: { code: 'BAD_USER_INPUT', limit: 'tokens', max: maxTokens },
    };
  };
}
