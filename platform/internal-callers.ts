/**
 * Which services may call each internal (`@inaccessible`) field of a subgraph: one declarative allow-list per subgraph
 * (`subgraphs/<name>/internal-callers.ts`), enforced here for every field at once.
 *
 * `buildFederatedSchema` refuses to build a schema in which an `@inaccessible` field has no entry (or an entry names no
 * such field), so a new internal field cannot ship open to every signed caller: it fails at start-up and in
 * test/internal-callers.test.ts. Each listed field's resolver is wrapped: a caller whose verified identity is not one
 * of the listed services (a shopper through the router, or another subgraph) gets FORBIDDEN before it runs.
 * The caller's name comes from identity.ts, where it is bound to the key that signed the header.
 */
import { defaultFieldResolver, Kind, type DocumentNode, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { BaseContext } from './context';
import { forbidden } from './errors';
import type { ServiceName } from './service-keys';

/** `Type.field` → the services allowed to call it (`router` only when the query planner itself fetches it). */
export type InternalCallers = Readonly<Record<string, readonly ServiceName[]>>;

const TYPE_KINDS = new Set<string>([Kind.OBJECT_TYPE_DEFINITION, Kind.OBJECT_TYPE_EXTENSION, Kind.INTERFACE_TYPE_DEFINITION, Kind.INTERFACE_TYPE_EXTENSION]);

/** Every field marked `@inaccessible` in a subgraph's SDL, as `Type.field`. */
export function inaccessibleFields(typeDefs: DocumentNode): string[] {
  const fields: string[] = [];
  for (const definition of typeDefs.definitions) {
    if (!TYPE_KINDS.has(definition.kind) || !('fields' in definition)) continue;
    for (const field of definition.fields ?? []) {
      if (field.directives?.some((directive) => directive.name.value === 'inaccessible')) {
        fields.push(`${definition.name.value}.${field.name.value}`);
      }
    }
  }
  return fields;
}

/** Throws unless the allow-list covers exactly the SDL's `@inaccessible` fields. */
export function checkInternalCallers(subgraph: string, typeDefs: DocumentNode, callers: InternalCallers): void {
  const fields = inaccessibleFields(typeDefs);
  const missing = fields.filter((field) => !callers[field]?.length);
  const unknown = Object.keys(callers).filter((field) => !fields.includes(field));
  if (missing.length || unknown.length) {
    throw new Error(
      `${subgraph}: internal-callers.ts must list exactly the @inaccessible fields` +
        (missing.length ? `; missing (or empty): ${missing.join(', ')}` : '') +
        (unknown.length ? `; not @inaccessible fields: ${unknown.join(', ')}` : ''),
    );
  }
}

/** Wraps each listed field's resolver with the caller check (the schema is changed in place and returned). */
export function guardInternalFields(schema: GraphQLSchema, callers: InternalCallers): GraphQLSchema {
  for (const [coordinate, allowed] of Object.entries(callers)) {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    const field = type && 'getFields' in type ? type.getFields()[fieldName] : undefined;
    if (!field || !('resolve' in field)) throw new Error(`internal-callers: no field ${coordinate}`);
    const resolve: GraphQLFieldResolver<unknown, BaseContext> = field.resolve ?? defaultFieldResolver;
    const open = new Set<string>(allowed);
    field.resolve = (source, args, context: BaseContext, info) => {
      // A header without `svc` is the router's (shoppers and the query planner); identity.ts binds `svc` to its key.
      const caller = context.identity.service ?? 'router';
      if (!open.has(caller)) throw forbidden(`Internal operation ${coordinate} is not open to ${caller}`);
      return resolve(source, args, context, info);
    };
  }
  return schema;
}
