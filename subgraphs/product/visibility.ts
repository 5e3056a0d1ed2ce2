/** Who sees what of the catalog. */
import type { ProductContext } from './context';

export const CATALOG_WRITE = 'catalog:write';

/** Staff who may edit the catalog also see what is off the shelf; everyone else sees the same catalog. */
export const seesOffShelf = (context: ProductContext) => Boolean(context.identity.userId) && context.identity.scopes.includes(CATALOG_WRITE);
