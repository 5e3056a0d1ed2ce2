/**
 * The shoppers' access log (docs/shoppers.md): who read whose personal data (the detail, the wallet) and when, newest
 * first; one shopper's entries when a shopper id is given (also opened with `?userId=` from a shopper's page). The log
 * is staff:admin's: the API refuses anyone else whatever the menus say.
 */
import { useState } from 'react';
import { useQuery } from 'urql';
import { Link, useSearch } from 'wouter';
import { time } from '../format';
import { ShopperAccessLogDocument } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

const WHAT: Record<string, string> = { PROFILE: '顾客资料（手机号、地址）', WALLET: '钱包（余额、流水）' };

export function ShopperAccessPage() {
  const fromShopper = new URLSearchParams(useSearch()).get('userId') ?? '';
  const [userId, setUserId] = useState(fromShopper);
  const [filter, setFilter] = useState<{ userId?: string }>(fromShopper ? { userId: fromShopper } : {});
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
        const next = userId.trim() ? { userId: userId.trim() } : {};
        // The same search again asks again (new reads may have been logged since); a new one starts on its first page.
        if (next.userId === filter.userId && cursors.length === 1) reexecute({ requestPolicy: 'network-only' });
        setCursors([null]);
        setFilter(next);
      }}>
        <label>顾客 ID<input name="userId" value={userId} onChange={(e) => setUserId(e.target.value)} placeholder="不填：全部顾客" /></label>
        <button type="submit">查询</button>
      </form>
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !connection} />
      {connection && (
        <>
          <table className="table" aria-label="访问日志">
            <thead><tr><th>时间</th><th>员工</th><th>员工 ID</th><th>顾客 ID</th><th>查看内容</th></tr></thead>
            <tbody>
              {connection.edges.map(({ node }) => (
                <tr key={node.id} data-testid={`access-${node.id}`}>
                  <td>{time(node.at)}</td>
                  <td>{node.staffUsername ?? '（账号已不存在）'}</td>
                  <td>{node.staffUserId}</td>
                  <td><Link href={`/system/shopper-access?userId=${encodeURIComponent(node.shopperId)}`} onClick={() => { setUserId(node.shopperId); setCursors([null]); setFilter({ userId: node.shopperId }); }}>{node.shopperId}</Link></td>
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
