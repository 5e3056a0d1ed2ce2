/**
 * The shoppers' access log (docs/shoppers.md): who read whose personal data (the detail, the wallet) and when, newest
 * first; filtered by shopper id (also opened with `?userId=` from a shopper's page), staff member id and a time range
 * (from inclusive, to exclusive, typed in local time). The log is staff:admin's: the API refuses anyone else whatever
 * the menus say.
 */
import { useState } from 'react';
import { useQuery, type CombinedError } from 'urql';
import { Link, useSearch } from 'wouter';
import { fromLocalInput, time } from '../format';
import { ShopperAccessLogDocument } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

const WHAT: Record<string, string> = { PROFILE: '顾客资料（手机号、地址）', WALLET: '钱包（余额、流水）' };

interface Filter {
  userId?: string;
  staffUserId?: string;
  from?: string;
  to?: string;
}

/** The API's refusals of a filter, in Chinese (by the field it names); null for anything else. */
function filterRefusal(error: CombinedError | undefined): string | null {
  const first = error?.graphQLErrors[0];
  if (first?.extensions?.code !== 'BAD_USER_INPUT') return null;
  const byField: Record<string, string> = {
    userId: '顾客 ID 格式不正确',
    staffUserId: '员工 ID 格式不正确',
    from: '开始时间格式不正确',
    to: '结束时间须晚于开始时间',
  };
  return byField[String(first.extensions.field)] ?? null;
}

export function ShopperAccessPage() {
  const fromShopper = new URLSearchParams(useSearch()).get('userId') ?? '';
  const [form, setForm] = useState({ userId: fromShopper, staffUserId: '', from: '', to: '' });
  const [filter, setFilter] = useState<Filter>(fromShopper ? { userId: fromShopper } : {});
  // Keyset pages: the cursors of the pages seen so far, to go back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [result, reexecute] = useQuery({ query: ShopperAccessLogDocument, variables: { ...filter, first: 20, after: cursors[cursors.length - 1] }, requestPolicy: 'network-only' });
  const connection = result.data?.shopperAccessLog;
  return (
    <section>
      <PageTitle>顾客信息访问日志</PageTitle>
      <p className="muted">员工每次查看顾客详情或钱包都会记录一条（谁、哪位顾客、查看了什么、何时）；记录只增不改。</p>
      <form className="filters" aria-label="访问日志筛选" onSubmit={(e) => {
        e.preventDefault();
        const next: Filter = {};
        if (form.userId.trim()) next.userId = form.userId.trim();
        if (form.staffUserId.trim()) next.staffUserId = form.staffUserId.trim();
        // datetime-local is the browser's local time (China time for the staff); the API takes instants.
        const from = fromLocalInput(form.from);
        const to = fromLocalInput(form.to);
        if (from) next.from = from;
        if (to) next.to = to;
        // The same search again asks again (new reads may have been logged since); a new one starts on its first page.
        if (JSON.stringify(next) === JSON.stringify(filter) && cursors.length === 1) reexecute({ requestPolicy: 'network-only' });
        setCursors([null]);
        setFilter(next);
      }}>
        <label>顾客 ID<input name="userId" value={form.userId} onChange={(e) => setForm({ ...form, userId: e.target.value })} placeholder="不填：全部顾客" /></label>
        <label>员工 ID<input name="staffUserId" value={form.staffUserId} onChange={(e) => setForm({ ...form, staffUserId: e.target.value })} placeholder="不填：全部员工" /></label>
        <label>开始<input name="from" type="datetime-local" step="1" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} /></label>
        <label>结束<input name="to" type="datetime-local" step="1" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} /></label>
        <button type="submit">查询</button>
      </form>
      {filterRefusal(result.error) ? (
        <div className="error" role="alert" data-code="BAD_USER_INPUT">{filterRefusal(result.error)}（BAD_USER_INPUT）</div>
      ) : (
        <ErrorNote error={result.error} />
      )}
      <Loading when={result.fetching && !connection} />
      {connection && !result.error && (
        <>
          <table className="table" aria-label="访问日志">
            <thead><tr><th>时间</th><th>员工</th><th>员工 ID</th><th>顾客 ID</th><th>查看内容</th></tr></thead>
            <tbody>
              {connection.edges.map(({ node }) => (
                <tr key={node.id} data-testid={`access-${node.id}`}>
                  <td>{time(node.at)}</td>
                  <td>{node.staffUsername ?? '（账号已不存在）'}</td>
                  <td>{node.staffUserId}</td>
                  <td><Link href={`/system/shopper-access?userId=${encodeURIComponent(node.shopperId)}`} onClick={() => { setForm({ userId: node.shopperId, staffUserId: '', from: '', to: '' }); setCursors([null]); setFilter({ userId: node.shopperId }); }}>{node.shopperId}</Link></td>
                  <td>{WHAT[node.what] ?? node.what}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!connection.edges.length && <div className="muted">没有访问记录</div>}
          <div className="pager">
            {cursors.length > 1 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>上一页</button>}
            {connection.pageInfo.hasNextPage && <button type="button" onClick={() => setCursors([...cursors, connection.pageInfo.endCursor ?? null])}>下一页</button>}
          </div>
        </>
      )}
    </section>
  );
}
