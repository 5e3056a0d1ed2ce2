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
  type GraphQLNamedType,
  isInputObjectType,
  type ValueNode,
  type GraphQLOutputType,
  type GraphQLSchema,
  type FieldNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { OperationLimits } from '../platform/config';
import { NO_COST_DIRECTIVES, type CostDirectives, type ListSize } from './cost-directives';
import { shopError } from '../platform/errors';

export type LimitName = 'depth' | 'aliases' | 'rootFields' | 'tokens' | 'directives' | 'cost';

function limitError(limit: LimitName, max: number, found: number | undefined, message: string, extra: Record<string, unknown> = {}) {
  return shopError('BAD_USER_INPUT', message, { limit, max, ...(found === undefined ? {} : { found }), ...extra });
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
  /** Size assumed for a list (or connection) without a `first` argument or a declared `@listSize`. */
  defaultListSize: number;
  /** Largest `first` the subgraphs accept: a bigger one is refused there, so it never costs more. */
  maxPageSize: number;
  variables?: Record<string, unknown>;
  /** `@cost` / `@listSize` the subgraphs declared (router/cost-directives.ts); none when absent. */
  directives?: CostDirectives;
}

function isListOutput(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** A Relay connection: its `edges`/`nodes` lists are as long as the connection field's `first`. */
function isConnection(type: GraphQLCompositeType): boolean {
  return isObjectType(type) && type.name.endsWith('Connection') && 'edges' in type.getFields();
}

const CONNECTION_LISTS: readonly string[] = ['edges', 'nodes'];

/** Which child list fields take which size: a connection's `edges`/`nodes`, or a `@listSize`'s `sizedFields`. */
interface Sized {
  fields: readonly string[];
  size: number;
}

export interface CostEstimate {
  /** Estimated cost; Number.MAX_SAFE_INTEGER past any sane bound. */
  cost: number;
  /** Fields whose `@listSize(requireOneSlicingArgument: true)` did not get exactly one slicing argument. */
  slicingProblems: string[];
  /** Whether the estimate read a variable of the request: if not, it holds for every request of the document. */
  variablesRead: boolean;
}

/**
 * Estimated cost of an operation: the number of objects it can return, weighted by the subgraphs' `@cost`. Each
 * field of object, interface or union type counts its weight (1, or its type's or its own `@cost`) once per parent
 * object; scalar and enum fields count only a declared `@cost` (else nothing); an argument with a `@cost` given adds
 * its weight (input fields with one too). A list multiplies what is under it by its size: its `@listSize` when the
 * subgraph declared one (the largest slicing argument given, else `assumedSize`; `sizedFields` size children instead),
 * else its `first`/`last` (capped at `maxPageSize`), else `defaultListSize`; a connection's `edges`/`nodes` take the
 * connection field's `first`. Introspection is free. Linear in the document: the cost of a selection set is computed
 * per unit of parent and fragments are memoised.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  selectionSet: SelectionSetNode,
  rootType: GraphQLCompositeType,
  options: CostOptions,
): CostEstimate {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const directives = options.directives ?? NO_COST_DIRECTIVES;
  const memo = new Map<string, number>();
  const inProgress = new Set<string>();
  const slicingProblems: string[] = [];
  let variablesRead = false;
  const variable = (name: string): unknown => {
    variablesRead = true;
    return options.variables?.[name];
  };
  const typeWeight = (name: string): number | undefined => (directives.types.size ? directives.types.get(name) : undefined);

  const valueOf = (node: ValueNode): unknown => {
    if (node.kind === Kind.VARIABLE) return variable(node.name.value);
    if (node.kind === Kind.INT || node.kind === Kind.FLOAT) return Number(node.value);
    return undefined;
  };

  const firstOf = (field: FieldNode): number | undefined => {
    const argument = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
    if (!argument) return undefined;
    const value = valueOf(argument.value);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
    return Math.min(value, options.maxPageSize);
  };

  /** The size a `@listSize` gives: the largest slicing argument given (literal, variable or default), else `assumedSize`. */
  const declaredSize = (listSize: ListSize, field: FieldNode, def: GraphQLField<unknown, unknown>, where: string): number => {
    let largest: number | undefined;
    let given = 0;
    for (const name of listSize.slicingArguments ?? []) {
      const argument = field.arguments?.find((a) => a.name.value === name);
      const value = argument ? valueOf(argument.value) : def.args.find((a) => a.name === name)?.defaultValue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) continue;
      given += 1;
      largest = Math.max(largest ?? 0, value);
    }
    if (listSize.slicingArguments?.length && listSize.requireOneSlicingArgument && given !== 1) {
      slicingProblems.push(`${where} needs exactly one of ${listSize.slicingArguments.join(', ')}`);
    }
    return largest ?? listSize.assumedSize ?? options.defaultListSize;
  };

  /** `@cost` weights of the arguments given (a variable counts when the request gives it a value), input fields included. */
  const argumentsWeight = (field: FieldNode, def: GraphQLField<unknown, unknown>, weights: ReadonlyMap<string, number> | undefined): number => {
    let total = 0;
    for (const argument of field.arguments ?? []) {
      const node = argument.value;
      const json = node.kind === Kind.VARIABLE ? variable(node.name.value) : undefined;
      if (node.kind === Kind.NULL || (node.kind === Kind.VARIABLE && json == null)) continue;
      total += weights?.get(argument.name.value) ?? 0;
      if (!directives.inputFields.size) continue;
      const type = def.args.find((a) => a.name === argument.name.value)?.type;
      if (type) total += node.kind === Kind.VARIABLE ? jsonInputWeight(getNamedType(type), json) : literalInputWeight(getNamedType(type), node);
    }
    return total;
  };

  /** Input fields with a `@cost` present in a literal value (variables inside it included). */
  const literalInputWeight = (type: GraphQLNamedType, node: ValueNode): number => {
    if (!isInputObjectType(type)) return 0;
    if (node.kind === Kind.VARIABLE) return jsonInputWeight(type, variable(node.name.value));
    if (node.kind === Kind.LIST) return node.values.reduce((sum, item) => sum + literalInputWeight(type, item), 0);
    if (node.kind !== Kind.OBJECT) return 0;
    let total = 0;
    for (const field of node.fields) {
      const fieldDef = type.getFields()[field.name.value];
      if (!fieldDef || field.value.kind === Kind.NULL || (field.value.kind === Kind.VARIABLE && variable(field.value.name.value) == null)) continue;
      total += (directives.inputFields.get(`${type.name}.${field.name.value}`) ?? 0) + literalInputWeight(getNamedType(fieldDef.type), field.value);
    }
    return total;
  };

  /** Input fields with a `@cost` present in a variable's JSON value. */
  const jsonInputWeight = (type: GraphQLNamedType, value: unknown): number => {
    if (!isInputObjectType(type) || value == null || typeof value !== 'object') return 0;
    if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + jsonInputWeight(type, item), 0);
    let total = 0;
    for (const [name, fieldValue] of Object.entries(value)) {
      const fieldDef = type.getFields()[name];
      if (!fieldDef || fieldValue == null) continue;
      total += (directives.inputFields.get(`${type.name}.${name}`) ?? 0) + jsonInputWeight(getNamedType(fieldDef.type), fieldValue);
    }
    return total;
  };

  const fieldDef = (parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined =>
    isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;

  /** Cost of `set` for one object of `parent`; `sized` names the child lists whose size the parent's field set. */
  const unitCost = (set: SelectionSetNode, parent: GraphQLCompositeType, sized: Sized | undefined): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const def = fieldDef(parent, selection.name.value);
        if (!def) continue;
        const type = getNamedType(def.type);
        const declared = directives.fields.size ? directives.fields.get(`${parent.name}.${selection.name.value}`) : undefined;
        const listSize = declared?.listSize;
        const extra = declared?.argumentWeights || directives.inputFields.size ? argumentsWeight(selection, def, declared?.argumentWeights) : 0;
        if (!isCompositeType(type) || !selection.selectionSet) {
          // A leaf: free unless the field or its scalar/enum declares a weight.
          const weight = declared?.weight ?? typeWeight(type.name) ?? 0;
          if (weight || extra) {
            const size = isListOutput(def.type) ? (listSize ? declaredSize(listSize, selection, def, `${parent.name}.${def.name}`) : (firstOf(selection) ?? options.defaultListSize)) : 1;
            total += size * weight + extra;
          }
          continue;
        }
        let size = 1;
        let childSized: Sized | undefined;
        if (listSize) {
          const declaredCount = declaredSize(listSize, selection, def, `${parent.name}.${def.name}`);
          if (!listSize.sizedFields?.length) size = isListOutput(def.type) ? declaredCount : 1;
          else {
            // The count sizes the named children (a connection's `edges`); a list itself takes its assumed size.
            childSized = { fields: listSize.sizedFields, size: declaredCount };
            if (isListOutput(def.type)) size = listSize.assumedSize ?? options.defaultListSize;
          }
        } else {
          const first = firstOf(selection);
          if (isListOutput(def.type)) size = first ?? (sized?.fields.includes(selection.name.value) ? sized.size : options.defaultListSize);
          if (isConnection(type)) childSized = { fields: CONNECTION_LISTS, size: first ?? options.defaultListSize };
        }
        const weight = declared?.weight ?? typeWeight(type.name) ?? 1;
        total += size * (weight + unitCost(selection.selectionSet, type, childSized)) + extra;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (condition && isCompositeType(condition)) total += unitCost(selection.selectionSet, condition, sized);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const condition = schema.getType(fragment.typeCondition.name.value);
        if (!condition || !isCompositeType(condition)) continue;
        const key = `${fragment.name.value}:${parent.name}:${sized ? `${sized.size}:${sized.fields.join(',')}` : ''}`;
        if (inProgress.has(key)) continue; // a cycle: refused by NoFragmentCycles anyway
        if (!memo.has(key)) {
          inProgress.add(key);
          memo.set(key, unitCost(fragment.selectionSet, condition, sized));
          inProgress.delete(key);
        }
        total += memo.get(key)!;
      }
      // Past any sane bound the exact number does not matter; stop growing towards Infinity.
      if (total > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
    }
    return total;
  };

  const cost = unitCost(selectionSet, rootType, undefined);
  return { cost, slicingProblems, variablesRead };
}

/** The estimated cost alone (estimateCost). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  selectionSet: SelectionSetNode,
  rootType: GraphQLCompositeType,
  options: CostOptions,
): number {
  return estimateCost(schema, document, selectionSet, rootType, options).cost;
}

export function costLimitRule(options: CostOptions): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const root = schema.getRootType(operation.operation);
      if (!root) return;
      const { cost: found, slicingProblems } = estimateCost(schema, context.getDocument(), operation.selectionSet, root, options);
      const cost = { estimated: found, max: options.max };
      if (found > options.max) {
        context.reportError(
          limitError('cost', options.max, found, `Operation refused: estimated cost ${found} exceeds ${options.max} (lists count their \`first\` or declared @listSize, ${options.defaultListSize} when unbounded)`, { cost }),
        );
      } else if (slicingProblems.length) {
        context.reportError(
          limitError('cost', options.max, undefined, `Operation refused: the cost cannot be estimated: ${slicingProblems.join('; ')}`, { cost, reason: 'SLICING_ARGUMENT' }),
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

export function limitRules(
  limits: OperationLimits,
  extra: { maxPageSize: number; variables?: Record<string, unknown>; directives?: CostDirectives },
): ValidationRule[] {
  return [
    ...documentLimitRules(limits),
    costLimitRule({ max: limits.maxCost, defaultListSize: limits.defaultListSize, maxPageSize: extra.maxPageSize, variables: extra.variables, directives: extra.directives }),
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
 * by the full pass, so its errors are exactly those of running every rule. An estimate that read no variable is
 * remembered per document too (the cart, a catalog page: the same answer for every request).
 */
export function operationLimitsPlugin(limits: OperationLimits, maxPageSize: number, directives: CostDirectives = NO_COST_DIRECTIVES): ApolloServerPlugin<any> {
  const withinDocumentLimits = new WeakMap<DocumentNode, boolean>();
  const staticRules = documentLimitRules(limits);
  const costOptions = { max: limits.maxCost, defaultListSize: limits.defaultListSize, maxPageSize, directives };
  const withinCostByDocument = new WeakMap<DocumentNode, boolean>();
  const withinCost = (schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined) => {
    const known = withinCostByDocument.get(document);
    if (known !== undefined) return known;
    let variablesRead = false;
    const within = document.definitions.every((definition) => {
      if (definition.kind !== Kind.OPERATION_DEFINITION) return true;
      const root = schema.getRootType(definition.operation);
      if (!root) return true;
      const estimate = estimateCost(schema, document, definition.selectionSet, root, { ...costOptions, variables });
      variablesRead ||= estimate.variablesRead;
      return estimate.cost <= limits.maxCost && estimate.slicingProblems.length === 0;
    });
    // Stopping early at an operation over the limit is still a verdict for every request: it read what it needed.
    if (!variablesRead) withinCostByDocument.set(document, within);
    return within;
  };
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
          const errors = validate(schema, document, limitRules(limits, { maxPageSize, variables: request.variables, directives }));
          if (errors.length === 0) return;
          // Apollo answers the first error thrown here; the others are in the message of the first.
          const [first, ...rest] = errors;
          // The estimate is reported whichever limit came first (`extensions.cost { estimated, max }`).
          const cost = errors.find((e) => e.extensions.cost)?.extensions.cost;
          throw shopError('BAD_USER_INPUT', [first.message, ...rest.map((e) => e.message)].join(' '), {
            ...first.extensions,
            ...(cost ? { cost } : {}),
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
