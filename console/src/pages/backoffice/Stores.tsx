/** The stores directory (seed 001): search by a batch of codes (up to 500, as the seed asks) or a keyword, keyset pages. */
import { useState } from 'react';
import { useQuery } from 'urql';
import { BackOfficeStoresDocument, type StoreFilter } from '../../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../../ui';

const BUSINESS: Record<string, string> = { OPEN: '营业中', PAUSED: '暂停营业', CLOSED: '已关店' };

export function StoresPage() {
  const [codes, setCodes] = useState('');
  const [keyword, setKeyword] = useState('');
  const [filter, setFilter] = useState<StoreFilter>({});
  // The cursors of the pages before this one: "上一页" goes back without OFFSET.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const [result] = useQuery({ query: BackOfficeStoresDocument, variables: { filter, first: 20, after } });
  const connection = result.data?.stores;
  function search(event: React.FormEvent) {
    event.preventDefault();
    const list = codes.split(/[\s,，]+/).filter(Boolean);
    setCursors([null]);
    setFilter({ ...(list.length ? { codes: list } : {}), ...(keyword.trim() ? { keyword: keyword.trim() } : {}) });
  }
  return (
    <section>
      <PageTitle>门店目录</PageTitle>
      <form className="filters" aria-label="门店搜索" onSubmit={search}>
        <label>门店编码（可批量，空格、逗号或换行分隔）<textarea name="codes" rows={2} value={codes} onChange={(e) => setCodes(e.target.value)} /></label>
        <label>关键词<input name="keyword" value={keyword} onChange={(e) => setKeyword(e.target.value)} /></label>
        <button type="submit">搜索</button>
      </form>
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !connection} />
      <table className="table" aria-label="门店列表">
        <thead><tr><th>编码</th><th>名称</th><th>加盟商</th><th>销售分公司</th><th>地址</th><th>电话</th><th>状态</th><th>营业状态</th></tr></thead>
        <tbody>
          {connection?.edges.map(({ node }) => (
            <tr key={node.id}>
              <td>{node.code}</td><td>{node.name}</td><td>{node.franchisee ? `${node.franchisee.code} ${node.franchisee.name}` : '—'}</td>
              <td>{node.branch ? `${node.branch.code} ${node.branch.name}` : '—'}</td><td>{node.address ?? '—'}</td><td>{node.phone ?? '—'}</td>
              <td>{node.status === 'ACTIVE' ? '启用' : '停用'}</td><td>{BUSINESS[node.businessStatus] ?? node.businessStatus}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {connection && (
        <div className="pager">
          {cursors.length > 1 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>上一页</button>}
          {connection.pageInfo.hasNextPage && <button type="button" onClick={() => setCursors([...cursors, connection.pageInfo.endCursor ?? null])}>下一页</button>}
        </div>
      )}
    </section>
  );
}
