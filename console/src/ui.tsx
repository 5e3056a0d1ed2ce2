/** Small shared pieces of the console's pages. */
import type { CombinedError } from 'urql';

/** A GraphQL or network error, in the words the API gave (its code for staff who report it). */
export function ErrorNote({ error }: { error?: CombinedError | null }) {
  if (!error) return null;
  const messages = error.graphQLErrors.length
    ? error.graphQLErrors.map((e) => `${e.message}${e.extensions?.code ? `（${String(e.extensions.code)}）` : ''}`)
    : [error.networkError ? `网络错误：${error.networkError.message}` : error.message];
  return (
    <div className="error" role="alert">
      {messages.map((message, i) => (
        <div key={i}>{message}</div>
      ))}
    </div>
  );
}

export function Loading({ when }: { when: boolean }) {
  return when ? <div className="muted">加载中…</div> : null;
}

export function PageTitle({ children }: { children: React.ReactNode }) {
  return <h1 className="page-title">{children}</h1>;
}
