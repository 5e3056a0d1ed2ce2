/**
 * The door of a subgraph's GraphQL endpoint: only callers that sign (the router, other subgraphs) get in.
 * A request without a verifiable `x-shop-identity` signed for this very subgraph is answered 401 before Apollo sees
 * it — so `_service { sdl }`, `_entities` and every field are out of reach of anyone who merely reaches the port.
 * The router signs every request, anonymous ones included, so an anonymous shopper is still a signed caller.
 * Routes outside /graphql (GET /health, a subgraph's mountRoutes such as provider callbacks) are not behind it.
 */
import type http from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { ServiceKeys } from './service-keys';
import { IDENTITY_HEADER, IdentityError, verifyIdentity, type Identity } from './identity';

export interface IdentityGateOptions {
  /** This subgraph's name: the only audience accepted. */
  audience: string;
  /** The keys to verify callers' headers with (each caller's own, service-keys.ts). */
  keys: ServiceKeys;
  maxAgeSeconds: number;
}

/** Where the gate leaves the verified identity for the context builder. */
export const IDENTITY_LOCAL = 'shopIdentity';

/** Verifies the header; the error message says why it was refused. */
export function identityOfRequest(headers: http.IncomingHttpHeaders, options: IdentityGateOptions): Identity {
  const header = headers[IDENTITY_HEADER];
  if (header === undefined || header === '') throw new IdentityError('missing (subgraphs accept only signed callers)');
  return verifyIdentity(String(header), options.keys, options.maxAgeSeconds, Date.now(), options.audience);
}

/** The 401 body, shaped like any GraphQL error response so clients and the gateway read it the usual way. */
export function unauthenticatedBody(message: string) {
  return { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] };
}

/** The 401 for a refused identity header: the same from the express gate and from the plain /graphql handler. */
export function identityRefusal(error: IdentityError) {
  return { status: 401, body: unauthenticatedBody(`Identity header refused: ${error.message}`) };
}

export function identityGate(options: IdentityGateOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals[IDENTITY_LOCAL] = identityOfRequest(req.headers, options);
    } catch (error) {
      if (!(error instanceof IdentityError)) return next(error);
      const { status, body } = identityRefusal(error);
      res.status(status).json(body);
      return;
    }
    next();
  };
}
