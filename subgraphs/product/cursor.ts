/** Opaque Relay cursors for the product connection: base64url of the keyset position (the product id). */
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';

export function encodeProductCursor(id: string): string {
  return Buffer.from(JSON.stringify({ id })).toString('base64url');
}

/** The id after which the next page starts; a cursor we did not issue is BAD_USER_INPUT. */
export function decodeProductCursor(cursor: string): string {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badInput('Malformed cursor', 'after');
  }
  const id = (position as { id?: unknown } | null)?.id;
  if (!isBigintId(id)) throw badInput('Malformed cursor', 'after');
  return id;
}
