/**
 * The developer explorer: GraphiQL with the query-builder plugin, served by the router from its own origin.
 * Everything it loads (scripts, styles, fonts, Monaco's workers) comes from /explorer/assets, so it works offline.
 */
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './explorer.css';
import { explorerFetcher } from './fetcher';

/** What the router writes into the page (see router/explorer/index.ts): endpoint and worker bundle URLs. */
interface ExplorerPageConfig {
  endpoint: string;
  workers: { editor: string; json: string; graphql: string };
}

const pageConfig = JSON.parse(document.getElementById('explorer-config')!.textContent!) as ExplorerPageConfig;

// Monaco asks for a worker per language; ours are same-origin bundles (GraphiQL's presets use esm.sh or a bundler plugin).
(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'json') return new Worker(pageConfig.workers.json);
    if (label === 'graphql') return new Worker(pageConfig.workers.graphql);
    return new Worker(pageConfig.workers.editor);
  },
};

// Subscriptions go over graphql-ws on the same path; the headers editor's values become its connectionParams.
const fetcher = explorerFetcher(new URL(pageConfig.endpoint, location.href));

// JSONC: the hint stays a comment until the developer fills in a token.
const HEADERS_HINT = `{
  // Run the login mutation, paste its accessToken:
  // "Authorization": "Bearer <accessToken>"
}`;

const DEFAULT_QUERY = `# Build an operation in the Explorer panel (left) or type it here.
# Signed-in fields need an Authorization header (Headers tab).
query Products {
  products(first: 5) {
    edges {
      node {
        id
        title
        minPrice
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`;

// `?query=` / `?variables=` open a shared operation in the first tab.
const search = new URLSearchParams(location.search);

// Passing plugins replaces GraphiQL's default list (history): keep it, add the query builder.
const plugins = [HISTORY_PLUGIN, explorerPlugin({ showAttribution: false })];

createRoot(document.getElementById('explorer')!).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={plugins}
    defaultQuery={DEFAULT_QUERY}
    defaultHeaders={HEADERS_HINT}
    initialQuery={search.get('query') ?? undefined}
    initialVariables={search.get('variables') ?? undefined}
    defaultEditorToolsVisibility="headers"
    isHeadersEditorEnabled
    shouldPersistHeaders
  />,
);
