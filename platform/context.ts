/**
 * What every subgraph resolver receives, before the subgraph adds its own data access and loaders.
 */
import type { Config } from './config';
import { forbidden, unauthenticated } from './errors';
import type { Identity, Scope } from './identity';

export interface BaseContext {
  identity: Identity;
  config: Config;
  requestId: string;
}

/** The signed-in user's id, or UNAUTHENTICATED. */
export function requireUser(context: BaseContext): string {
  if (!context.identity.userId) throw unauthenticated();
  return context.identity.userId;
}

/** A signed-in user holding `scope` (granted by a staff role), or UNAUTHENTICATED / FORBIDDEN. */
export function requireScope(context: BaseContext, scope: Scope): string {
  const userId = requireUser(context);
  if (!context.identity.scopes.includes(scope)) throw forbidden(`This needs the ${scope} permission`);
  return userId;
}

/** Internal operations answer only other subgraphs (a verified service signature), never shoppers. */
export function requireService(context: BaseContext, ...allowed: string[]): string {
  const service = context.identity.service;
  if (!service) throw forbidden('Internal operation');
  if (allowed.length && !allowed.includes(service)) throw forbidden(`Internal operation not open to ${service}`);
  return service;
}
