/** The user subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { buildFederatedSchema } from '../../platform/schema-loader';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { UserContext } from './context';
import { resolvers } from './resolvers';

export { migrations } from './migrations';

export const buildUserSchema = () => buildFederatedSchema(__dirname, resolvers);

export function createUserSubgraph(deps: SubgraphDeps): SubgraphDefinition<UserContext> {
  return {
    name: 'user',
    schema: buildUserSchema(),
    createContext: (base) => ({ ...base, db: deps.db }),
  };
}
