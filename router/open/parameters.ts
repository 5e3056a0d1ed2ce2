/**
 * Business parameters (the JSON body) checked against the registered operation's variable definitions with zod,
 * before anything else is spent on the call: unknown keys, missing required values and wrong scalar types are
 * refused with INVALID_PARAMETER and the offending paths. Input objects and enums are checked by GraphQL itself when
 * the operation runs (their shape lives in the supergraph, not in the document).
 */
import { Kind, OperationTypeNode, parse, type OperationDefinitionNode, type TypeNode } from 'graphql';
import { z } from 'zod';

export interface CompiledApi {
  method: string;
  document: string;
  enabled: boolean;
  idempotent: boolean;
  cost: number;
  maxConcurrency: number;
  mutation: boolean;
  /** Null when the document does not parse (the gateway answers API_DEFINITION_INVALID). */
  parameters: z.ZodType<Record<string, unknown>> | null;
}

const INT_MAX = 2 ** 31 - 1;

function scalar(name: string): z.ZodType {
  switch (name) {
    case 'Int':
      return z.number().int().min(-INT_MAX - 1).max(INT_MAX);
    case 'Float':
      return z.number();
    case 'String':
      return z.string();
    case 'Boolean':
      return z.boolean();
    case 'ID':
      return z.union([z.string().max(100), z.number().int()]);
    default:
      // Enums, input objects and custom scalars: GraphQL checks them when the operation runs.
      return z.unknown();
  }
}

function typeSchema(type: TypeNode): z.ZodType {
  if (type.kind === Kind.NON_NULL_TYPE) {
    const inner = type.type.kind === Kind.LIST_TYPE ? z.array(typeSchema(type.type.type)).max(500) : scalar(type.type.name.value);
    return inner;
  }
  const inner = type.kind === Kind.LIST_TYPE ? z.array(typeSchema(type.type)).max(500) : scalar(type.name.value);
  return inner.nullable().optional();
}

export function compileApi(api: Omit<CompiledApi, 'mutation' | 'parameters'>): CompiledApi {
  let operation: OperationDefinitionNode | undefined;
  try {
    operation = parse(api.document).definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  } catch {
    operation = undefined;
  }
  if (!operation) return { ...api, mutation: false, parameters: null };
  const shape: Record<string, z.ZodType> = {};
  for (const variable of operation.variableDefinitions ?? []) {
    const schema = typeSchema(variable.type);
    // A variable with a default may be left out even when non-null.
    shape[variable.variable.name.value] = variable.defaultValue ? schema.optional() : schema;
  }
  return {
    ...api,
    mutation: operation.operation === OperationTypeNode.MUTATION,
    parameters: z.strictObject(shape) as unknown as z.ZodType<Record<string, unknown>>,
  };
}

/** The parameters, or the first few problems as one message ("id: expected string, received number"). */
export function checkParameters(api: CompiledApi, body: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  const result = api.parameters!.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const message = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, message };
}
