/**
 * The cost directives a subgraph may declare (the IBM GraphQL cost directive spec, as Apollo Router and Hive Gateway
 * read it): `@cost(weight)` on a field, argument, input field, object, scalar or enum, and
 * `@listSize(assumedSize, slicingArguments, sizedFields, requireOneSlicingArgument)` on a list (or connection) field.
 * A Federation 2 subgraph imports them from its federation link (v2.9+: `import: ["@cost", "@listSize"]`) or links
 * the cost spec itself (`@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@cost", "@listSize"])`);
 * composition keeps them in the supergraph under the cost spec's `@link`. The API schema the router validates
 * against drops them, so they are read here from the supergraph's SDL, once, into maps keyed by name
 * (router/limits.ts uses them per request).
 */
import { Kind, parse, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode } from 'graphql';

const COST_SPEC = 'https://specs.apollo.dev/cost/';

export interface ListSize {
  assumedSize?: number;
  slicingArguments?: readonly string[];
  sizedFields?: readonly string[];
  requireOneSlicingArgument: boolean;
}

export interface FieldCostDirectives {
  /** `@cost(weight)` on the field: what one of it costs per parent object, instead of its type's weight. */
  weight?: number;
  listSize?: ListSize;
  /** `@cost(weight)` on arguments: added per parent object when the argument is given. */
  argumentWeights?: ReadonlyMap<string, number>;
}

export interface CostDirectives {
  /** By `Type.field`. */
  fields: ReadonlyMap<string, FieldCostDirectives>;
  /** `@cost(weight)` on object, scalar and enum types, by name. */
  types: ReadonlyMap<string, number>;
  /** `@cost(weight)` on input object fields, by `Input.field`. */
  inputFields: ReadonlyMap<string, number>;
}

export const NO_COST_DIRECTIVES: CostDirectives = { fields: new Map(), types: new Map(), inputFields: new Map() };

/** The names the cost spec's directives have in this document (`as` on the link or on an import), if it links it. */
function costDirectiveNames(document: DocumentNode): { cost: string; listSize: string } | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const args = Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
      if (typeof args.url !== 'string' || !args.url.startsWith(COST_SPEC)) continue;
      const prefix = typeof args.as === 'string' ? args.as : 'cost';
      const names = { cost: prefix, listSize: `${prefix}__listSize` };
      for (const imported of Array.isArray(args.import) ? args.import : []) {
        const [name, as] = typeof imported === 'string' ? [imported, imported] : [imported?.name, imported?.as ?? imported?.name];
        if (name === '@cost' && typeof as === 'string') names.cost = as.replace(/^@/, '');
        if (name === '@listSize' && typeof as === 'string') names.listSize = as.replace(/^@/, '');
      }
      return names;
    }
  }
  return undefined;
}

function argumentsOf(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

const weightOf = (directives: readonly ConstDirectiveNode[] | undefined, name: string): number | undefined => {
  const directive = directives?.find((d) => d.name.value === name);
  const weight = directive ? argumentsOf(directive).weight : undefined;
  return typeof weight === 'number' && Number.isFinite(weight) ? weight : undefined;
};

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : undefined;

/** Reads every `@cost` and `@listSize` of a supergraph (none when it does not link the cost spec). */
export function costDirectivesFromSupergraph(supergraphSdl: string): CostDirectives {
  const document = parse(supergraphSdl, { noLocation: true });
  const names = costDirectiveNames(document);
  if (!names) return NO_COST_DIRECTIVES;
  const fields = new Map<string, FieldCostDirectives>();
  const types = new Map<string, number>();
  const inputFields = new Map<string, number>();
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION: {
        const typeWeight = weightOf(definition.directives, names.cost);
        if (typeWeight !== undefined) types.set(definition.name.value, typeWeight);
        for (const field of definition.fields ?? []) {
          const entry: FieldCostDirectives = {};
          const weight = weightOf(field.directives, names.cost);
          if (weight !== undefined) entry.weight = weight;
          const listSize = field.directives?.find((d) => d.name.value === names.listSize);
          if (listSize) {
            const args = argumentsOf(listSize);
            entry.listSize = {
              assumedSize: typeof args.assumedSize === 'number' ? args.assumedSize : undefined,
              slicingArguments: strings(args.slicingArguments),
              sizedFields: strings(args.sizedFields),
              requireOneSlicingArgument: args.requireOneSlicingArgument !== false,
            };
          }
          const argumentWeights = new Map<string, number>();
          for (const argument of field.arguments ?? []) {
            const argumentWeight = weightOf(argument.directives, names.cost);
            if (argumentWeight !== undefined) argumentWeights.set(argument.name.value, argumentWeight);
          }
          if (argumentWeights.size) entry.argumentWeights = argumentWeights;
          if (Object.keys(entry).length) fields.set(`${definition.name.value}.${field.name.value}`, entry);
        }
        break;
      }
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION: {
        const weight = weightOf(definition.directives, names.cost);
        if (weight !== undefined) types.set(definition.name.value, weight);
        break;
      }
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        for (const field of definition.fields ?? []) {
          const weight = weightOf(field.directives, names.cost);
          if (weight !== undefined) inputFields.set(`${definition.name.value}.${field.name.value}`, weight);
        }
        break;
      default:
        break;
    }
  }
  return { fields, types, inputFields };
}
