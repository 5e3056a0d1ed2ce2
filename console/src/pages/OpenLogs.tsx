/** Call-log search: app, method, time range to the second, keyword (highlighted in the request), errors only. */
import { useState } from 'react';
import { useQuery } from 'urql';
import { fromLocalInput, localInput, time } from '../format';
import { OpenCallLogsDocument, type OpenCallLogFilter } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

export function OpenLogsPage() {
  const now = new Date();
  const [form, setForm] = useState({ appKey: '', method: '', keyword: '', from: localInput(new Date(now.getTime() - 3600_000)), to: localInput(new Date(now.getTime() + 60_000)), errorsOnly: false });
  const [filter, setFilter] = useState<OpenCallLogFilter | null>(null);
  const [after, setAfter] = useState<string | null>(null);
  const [result] = useQuery({ query: OpenCallLogsDocument, variables: { filter: filter!, first: 50, after }, pause: !filter, requestPolicy: 'network-only' });
  const set = (key: 'appKey' | 'method' | 'keyword' | 'from' | 'to') => (event: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [key]: event.target.value });
  function search(event: React.FormEvent) {
    event.preventDefault();
    setAfter(null);
    setFilter({
      from: fromLocalInput(form.from) ?? new Date(Date.now() - 3600_000).toISOString(),
      to: fromLocalInput(form.to) ?? new Date().toISOString(),
      appKey: form.appKey.trim() || undefined,
      method: form.method.trim() || undefined,
      keyword: form.keyword.trim() || undefined,
      errorsOnly: form.errorsOnly || undefined,
    });
  }
  const connection = result.data?.openCallLogs;
  return (
    <section>
      <PageTitle>调用日志</PageTitle>
      <form className="filters" onSubmit={search} aria-label="日志搜索">
        <label>AppKey<input name="appKey" value={form.appKey} onChange={set('appKey')} /></label>
        <label>方法<input name="method" value={form.method} onChange={set('method')} placeholder="如 order.query" /></label>
        <label>开始<input name="from" type="datetime-local" step="1" value={form.from} onChange={set('from')} required /></label>
        <label>结束<input name="to" type="datetime-local" step="1" value={form.to} onChange={set('to')} required /></label>
        <label>关键词<input name="keyword" value={form.keyword} onChange={set('keyword')} /></label>
        <label className="check"><input type="checkbox" checked={form.errorsOnly} onChange={(e) => setForm({ ...form, errorsOnly: e.target.checked })} />只看错误</label>
        <button type="submit">搜索</button>
      </form>
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !connection} />
      {connection && (
        <>
          <table className="table" aria-label="调用记录">
            <thead><tr><th>时间</th><th>AppKey</th><th>方法</th><th>商户</th><th>HTTP</th><th>错误码</th><th>耗时</th><th>请求</th></tr></thead>
            <tbody>
              {connection.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td>{time(node.receivedAt)}</td><td><code>{node.appKey ?? '—'}</code></td><td>{node.method ?? '—'}</td><td>{node.merchant ?? '—'}</td>
                  <td>{node.httpStatus}</td><td>{node.errorCode ?? ''}</td><td>{node.responseTimeMs} ms</td>
                  <td className="request">
                    {node.requestHighlight.map((fragment, i) => (fragment.match ? <mark key={i}>{fragment.text}</mark> : <span key={i}>{fragment.text}</span>))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {!connection.edges.length && <div className="muted">没有符合条件的调用</div>}
          <div className="pager">
            {after && <button type="button" onClick={() => setAfter(null)}>第一页</button>}
            {connection.pageInfo.hasNextPage && <button type="button" onClick={() => setAfter(connection.pageInfo.endCursor ?? null)}>下一页</button>}
          </div>
        </>
      )}
    </section>
  );
}
