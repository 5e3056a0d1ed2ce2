/** The operations console: the staff's web app on the shop's supergraph (docs/console.md). */
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

createRoot(document.getElementById('root')!).render(<App />);
