/** The storefront: routes under the mount path (/shop), the urql client, the header every page shares. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { Router } from 'wouter';
import { client } from './client';
import { App } from './App';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider value={client}>
      <Router base={__APP_BASE__}>
        <App />
      </Router>
    </Provider>
  </StrictMode>,
);
