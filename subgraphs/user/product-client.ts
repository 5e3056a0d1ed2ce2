/**
 * What the user subgraph asks product: whether products exist and are on the shelf, before they become favorites.
 * Every id asked for during one request (and by concurrent requests of this process) goes out in one `_entities`
 * call; product answers service callers from PostgreSQL, never from its catalog cache.
 */
import type DataLoader from 'dataloader';
import { coalescedEntityLoader, type ServiceClient } from '../../platform/service-client';

export interface ProductFacts {
  id: string;
  onShelf: boolean;
}

/** Per request: product facts by id (null: no such product). */
export function createProductFactsLoader(services: ServiceClient): DataLoader<string, ProductFacts | null> {
  return coalescedEntityLoader<ProductFacts>(services, 'product', 'Product', 'id onShelf');
}
