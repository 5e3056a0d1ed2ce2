/**
 * Input hygiene at the router, before anything is planned (docs/limits.md, "Input hygiene"):
 * - every string of the operation — literals in the document and strings anywhere in the variables (nested input
 *   objects and lists, object keys too) — must be well-formed text: no NUL character (PostgreSQL refuses it in text,
 *   which surfaced as an internal error with SQL in it) and no unpaired UTF-16 surrogate (not encodable as UTF-8);
 * - `operationName` is at most MAX_OPERATION_NAME_LENGTH characters and is never echoed when longer;
 * - the document has at most MAX_QUERY_FIELDS fields, and graphql-js's own budget ("Validation aborted.", which
 *   guards its overlapping-fields check) is reported as the same `fields` limit.
 * Refusals are HTTP 400 `BAD_USER_INPUT` with `limit` (and `max`, `found`) or `reason`, like the other limits.
 *
 * Cost on the hot path: the document checks run once per document (Apollo keeps the parsed, validated document of
 * a query text and hands it to every request of that text; the verdict is kept beside it), the variable scan once per
 * request, linear in the variables' size (nothing without variables); the operationName check is a length comparison.
 * The operationName is also checked where the request is read (platform/graphql-http.ts, the GET guard in server.ts),
 * so no later step, graphql-js included, ever sees an over-long one.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Kind, type ASTNode, type DocumentNode, type GraphQLError, type GraphQLFormattedError } from 'graphql';
import { shopError } from '../platform/errors';

/** A NUL, or a surrogate (then checked for a partner: a well-formed pair is fine). */
const SUSPECT = /[\0\ud800-\udfff]/;
const BAD_CHARACTER = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether the string holds a NUL or an unpaired surrogate. */
export function isIllFormed(text: string): boolean {
  return SUSPECT.test(text) && BAD_CHARACTER.test(text);
}

const INVALID_STRING_MESSAGE = 'String values must not contain NUL characters or unpaired UTF-16 surrogates';

function invalidString(where: string) {
  return shopError('BAD_USER_INPUT', `${INVALID_STRING_MESSAGE} (${where})`, { reason: 'INVALID_STRING', http: { status: 400 } });
}

/** Where in the variables the first ill-formed string (or key) is, e.g. `$input.items[2].note`; undefined when none. */
export function illFormedVariable(variables: Record<string, unknown>): string | undefined {
  // Iterative: the JSON depth limit bounds nesting already, but a stack of our own costs nothing.
  const stack: [unknown, string][] = [];
  for (const name in variables) stack.push([variables[name], `$${name}`]);
  for (const name in variables) if (isIllFormed(name)) return 'a variable name';
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (isIllFormed(value)) return path;
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push([value[i], `${path}[${i}]`]);
    } else if (value !== null && typeof value === 'object') {
      for (const key in value) {
        if (isIllFormed(key)) return `a key in ${path}`;
        stack.push([(value as Record<string, unknown>)[key], `${path}.${key}`]);
      }
    }
  }
  return undefined;
}

/** Paths are built from the client's keys: bounded in the message, never echoed whole. */
const shortPath = (path: string) => (path.length > 120 ? `${path.slice(0, 117)}...` : path);

export interface DocumentVerdict {
  fields: number;
  /** 1-based line and column of the first ill-formed string literal. */
  invalidString?: { line: number; column: number };
}

/** One walk over the document: its fields (fragments included) and the first ill-formed string literal. */
export function inspectDocument(document: DocumentNode): DocumentVerdict {
  let fields = 0;
  let invalid: number | undefined;
  const stack: ASTNode[] = [...document.definitions];
  while (stack.length) {
    const node = stack.pop()!;
    switch (node.kind) {
      case Kind.OPERATION_DEFINITION:
        for (const v of node.variableDefinitions ?? []) if (v.defaultValue) stack.push(v.defaultValue);
        pushDirectives(stack, node.directives);
        stack.push(node.selectionSet);
        break;
      case Kind.FRAGMENT_DEFINITION:
      case Kind.INLINE_FRAGMENT:
        pushDirectives(stack, node.directives);
        stack.push(node.selectionSet);
        break;
      case Kind.FRAGMENT_SPREAD:
        pushDirectives(stack, node.directives);
        break;
      case Kind.SELECTION_SET:
        for (const selection of node.selections) stack.push(selection);
        break;
      case Kind.FIELD:
        fields++;
        for (const argument of node.arguments ?? []) stack.push(argument.value);
        pushDirectives(stack, node.directives);
        if (node.selectionSet) stack.push(node.selectionSet);
        break;
      case Kind.STRING:
        if (invalid === undefined && isIllFormed(node.value)) invalid = node.loc?.start ?? 0;
        break;
      case Kind.LIST:
        for (const value of node.values) stack.push(value);
        break;
      case Kind.OBJECT:
        for (const field of node.fields) stack.push(field.value);
        break;
      default:
        break;
    }
  }
  const verdict: DocumentVerdict = { fields };
  if (invalid !== undefined) {
    const source = document.loc?.source.body ?? '';
    const before = source.slice(0, invalid);
    const line = before.split('\n').length;
    verdict.invalidString = { line, column: invalid - before.lastIndexOf('\n') };
  }
  return verdict;
}

function pushDirectives(stack: ASTNode[], directives: readonly { arguments?: readonly { value: ASTNode }[] }[] | undefined) {
  for (const directive of directives ?? []) for (const argument of directive.arguments ?? []) stack.push(argument.value);
}

export interface InputHygieneOptions {
  maxOperationNameLength: number;
  maxFields: number;
}

/** The refusal for a document, or undefined when it passes. */
export function documentRefusal(document: DocumentNode, maxFields: number) {
  const verdict = inspectDocument(document);
  if (verdict.fields > maxFields) {
    return shopError('BAD_USER_INPUT', `Operation refused: ${verdict.fields} fields, at most ${maxFields}`, {
      limit: 'fields',
      max: maxFields,
      found: verdict.fields,
      http: { status: 400 },
    });
  }
  if (verdict.invalidString) {
    return invalidString(`a string literal at line ${verdict.invalidString.line}, column ${verdict.invalidString.column}`);
  }
  return undefined;
}

export function operationNameRefusal(operationName: unknown, max: number) {
  if (typeof operationName !== 'string' || operationName.length <= max) return undefined;
  return shopError('BAD_USER_INPUT', `Operation refused: operationName is ${operationName.length} characters long, at most ${max}`, {
    limit: 'operationName',
    max,
    found: operationName.length,
    http: { status: 400 },
  });
}

export function variablesRefusal(variables: Record<string, unknown> | undefined) {
  if (!variables) return undefined;
  // The common empty object: no walk at all.
  for (const _ in variables) {
    const where = illFormedVariable(variables);
    return where === undefined ? undefined : invalidString(shortPath(where));
  }
  return undefined;
}

export function inputHygienePlugin(options: InputHygieneOptions): ApolloServerPlugin<any> {
  // Apollo hands every request of one query text the same parsed document: its verdict is worked out once.
  const verdicts = new WeakMap<DocumentNode, GraphQLError | null>();
  // One listener for every request: the hook reads everything from the request context. (Only didResolveOperation:
  // Apollo turns a throw from the earlier hooks into a 500.)
  const listener: GraphQLRequestListener<any> = {
    async didResolveOperation({ request, document }) {
      const named = operationNameRefusal(request.operationName, options.maxOperationNameLength);
      if (named) throw named;
      let verdict = verdicts.get(document);
      if (verdict === undefined) {
        verdict = documentRefusal(document, options.maxFields) ?? null;
        verdicts.set(document, verdict);
      }
      if (verdict) throw verdict;
      const variables = variablesRefusal(request.variables);
      if (variables) throw variables;
    },
  };
  return { requestDidStart: async () => listener };
}

/**
 * graphql-js stops validating with "Validation aborted." when its overlapping-fields check runs out of budget (a
 * thousand copies of one field): that is the `fields` limit too, reported like the others.
 */
export function tagValidationAborted(maxFields: number) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    if (formatted.extensions?.code !== 'GRAPHQL_VALIDATION_FAILED' || formatted.message !== 'Validation aborted.') return formatted;
    return {
      message: 'Operation refused: too many fields to validate',
      extensions: { code: 'BAD_USER_INPUT', limit: 'fields', max: maxFields },
    };
  };
}
