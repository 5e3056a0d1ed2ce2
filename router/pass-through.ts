/**
 * Single-subgraph pass-through. Most operations (a cart view, a product page, a checkout preview, every cart
 * mutation) are answered by one subgraph alone: their query plan is a single fetch. For those, @apollo/gateway still
 * rebuilds the operation for every request and reshapes the subgraph's answer field by field (about a third of the
 * router's CPU on a 50-line cart). When the client's own document is valid against that subgraph's schema, the
 * subgraph's answer to it is the answer: this sends the client's document, through the same data source (identity,
 * timeout, dedup, Cache-Control into the cache policy), and maps the errors as the gateway does.
 *
 * What is passed through is decided once per operation, before its first request, from the plan the gateway's
 * planner makes of it (the same planner, over the same supergraph): a single fetch with nothing to require or
 * rewrite, no introspection, a document the subgraph validates, and nothing in it the gateway's reshaping of the
 * answer would change (router/pass-through-qualify.ts: hidden enum values, type conditions that hold in one schema
 * only, interface objects, a root `__typename`). Everything else goes through the gateway unchanged.
 * ROUTER_PASS_THROUGH=false turns it off.
 */
import { ERRORS, errorCodeDef, operationFromDocument, Supergraph } from '@apollo/federation-internals';
import type { Experimental_DidResolveQueryPlanCallback, GraphQLDataSource } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import {
  GraphQLError,
  isNonNullType,
  Kind,
  validate,
  visit,
  BREAK,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { LRUCache } from 'lru-cache';
import type { RouterContext } from './gateway';
import { passThroughDisqualification } from './pass-through-qualify';

type RequestContext = Parameters<Experimental_DidResolveQueryPlanCallback>[0]['requestContext'];
type Executor = (requestContext: RequestContext) => Promise<ExecutionResult>;

/** Operations remembered (by query hash and operation name): far more than a shop's clients send. */
const MAX_DECISIONS = 2000;

export interface PassThroughStats {
  /** Requests answered by passing the client's document to one subgraph. */
  passed: number;
  /** Requests that went through the gateway's query plan execution. */
  planned: number;
}

export interface PassThrough {
  /** The executor Apollo Server calls: passes through what can be, else the gateway's. */
  wrap(executor: Executor): Executor;
  stats: PassThroughStats;
}

const decisionKey = (requestContext: RequestContext) => `${requestContext.queryHash}|${requestContext.request.operationName ?? ''}`;

/** The one subgraph a plan fetches from when it is a single self-contained fetch, else undefined. */
function singleFetchSubgraph(node: QueryPlan['node']): string | undefined {
  if (node?.kind !== 'Fetch') return undefined;
  if (node.requires?.length || node.inputRewrites?.length || node.outputRewrites?.length || node.contextRewrites?.length) return undefined;
  if (node.hasDefers || (node.operationKind !== 'query' && node.operationKind !== 'mutation')) return undefined;
  return node.serviceName;
}

/** `__schema` / `__type` anywhere: the gateway answers those from the supergraph's API schema, not a subgraph. */
function asksIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * The gateway's mapping of a subgraph error (executeQueryPlan's downstreamServiceError, for a fetch at the root):
 * the subgraph's message, path and extensions plus `serviceName`; DOWNSTREAM_SERVICE_ERROR when it has no code.
 */
function downstreamError(error: GraphQLFormattedError, serviceName: string): GraphQLError {
  const message = error.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = {
    originalError: error as unknown as Error,
    path: error.path,
    extensions: { ...error.extensions, serviceName },
  };
  const codeDef = errorCodeDef(error);
  if (!codeDef && error.extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

/**
 * The data the gateway answers when its only fetch failed: every root field null, or no data at all when one of them
 * cannot be null (its shaping of an empty result).
 */
function dataWhenFetchFailed(requestContext: RequestContext, operation: OperationDefinitionNode): Record<string, unknown> | null {
  const root = requestContext.schema.getRootType(operation.operation);
  if (!root) return null;
  const data: Record<string, unknown> = Object.create(null);
  const fill = (selectionSet: SelectionSetNode): boolean => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.alias?.value ?? selection.name.value;
        if (selection.name.value === '__typename') data[name] = root.name;
        else if (isNonNullType(root.getFields()[selection.name.value]?.type)) return false;
        else data[name] = null;
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : requestContext.document.definitions.find(
          (definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
        );
        if (!fragment || !('selectionSet' in fragment) || !fill(fragment.selectionSet)) return false;
      }
    }
    return true;
  };
  return fill(operation.selectionSet) ? data : null;
}

export function createPassThrough(supergraphSdl: string, dataSources: ReadonlyMap<string, GraphQLDataSource<RouterContext>>): PassThrough {
  const decisions = new LRUCache<string, string | false>({ max: MAX_DECISIONS });
  const stats: PassThroughStats = { passed: 0, planned: 0 };
  let built: { supergraph: Supergraph; planner: QueryPlanner; apiSchema: ReturnType<Supergraph['apiSchema']> } | undefined;
  const schemas = new Map<string, GraphQLSchema>();
  /** The supergraph and a planner over it, built on the first operation (routers started by tests may see none). */
  const supergraphTools = () => {
    if (!built) {
      const supergraph = Supergraph.build(supergraphSdl);
      built = { supergraph, planner: new QueryPlanner(supergraph), apiSchema: supergraph.apiSchema() };
    }
    return built;
  };
  /** A subgraph's own schema, as composed into the supergraph (built on first use). */
  const schemaOf = (name: string): GraphQLSchema | undefined => {
    let schema = schemas.get(name);
    if (!schema) {
      schema = supergraphTools().supergraph.subgraphs().get(name)?.schema.toGraphQLJSSchema();
      if (schema) schemas.set(name, schema);
    }
    return schema;
  };

  function decide(requestContext: RequestContext): string | false {
    if (!requestContext.source || asksIntrospection(requestContext.document)) return false;
    let subgraph: string | undefined;
    try {
      const { planner, apiSchema } = supergraphTools();
      const operation = operationFromDocument(apiSchema, requestContext.document, { operationName: requestContext.request.operationName });
      subgraph = singleFetchSubgraph(planner.buildQueryPlan(operation).node);
    } catch {
      // The gateway plans it again and answers whatever went wrong, as it always does.
      return false;
    }
    if (!subgraph || !dataSources.has(subgraph)) return false;
    const schema = schemaOf(subgraph);
    if (schema === undefined || validate(schema, requestContext.document).length !== 0) return false;
    // The subgraph's answer must be the one the gateway's reshaping would make of it (pass-through-qualify.ts).
    return passThroughDisqualification(requestContext.schema, schema, requestContext.document, requestContext.operation!) ? false : subgraph;
  }

  async function forward(subgraph: string, requestContext: RequestContext): Promise<ExecutionResult> {
    const dataSource = dataSources.get(subgraph)!;
    const operation = requestContext.operation!;
    // As the gateway: variables that do not fit the operation are refused here, before any subgraph is asked.
    if (operation.variableDefinitions?.length) {
      const { errors } = getVariableValues(requestContext.schema, operation.variableDefinitions, requestContext.request.variables ?? {});
      if (errors) return { errors };
    }
    try {
      const response = await dataSource.process({
        kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
        request: {
          query: requestContext.source,
          variables: requestContext.request.variables,
          operationName: requestContext.request.operationName,
        },
        incomingRequestContext: requestContext as RequestContext & { context: RouterContext },
        context: requestContext.context as RouterContext,
        document: requestContext.document,
        pathInIncomingRequest: [],
      });
      const data = response.data ?? null;
      if (!response.errors?.length) return { data };
      return { errors: response.errors.map((error) => downstreamError(error, subgraph)), data };
    } catch (error) {
      // As the gateway: the fetch's failure is the operation's error, next to the data shaped from nothing.
      return { errors: [error as GraphQLError], data: dataWhenFetchFailed(requestContext, operation) };
    }
  }

  return {
    stats,
    wrap(executor) {
      return async (requestContext) => {
        let subgraph: string | false | undefined;
        if (requestContext.operation) {
          const key = decisionKey(requestContext);
          subgraph = decisions.get(key);
          if (subgraph === undefined) decisions.set(key, (subgraph = decide(requestContext)));
        }
        if (subgraph) {
          stats.passed += 1;
          return forward(subgraph, requestContext);
        }
        stats.planned += 1;
        return executor(requestContext);
      };
    },
  };
}
