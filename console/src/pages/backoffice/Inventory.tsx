/**
 * Inventory statistics (seed 001's 库存统计详细列表; docs/back-office.md): the online shop's stock (store ONLINE, the
 * product subgraph's ledger) per SKU over a period of China dates, in units. Physical stores hold no stock in this
 * shop, so there is no store to pick.
 */
import { useState } from 'react';
import { useQuery } from 'urql';
import { StockStatisticsDocument } from '../../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../../ui';

/** The China date (YYYY-MM-DD) `daysAgo` days before today. */
function chinaDate(daysAgo: number): string {
  return new Date(Date.now() + 8 * 3600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

export function InventoryStatsPage() {
  const [form, setForm] = useState({ from: chinaDate(29), to: chinaDate(0), keyword: '' });
  const [asked, setAsked] = useState(form);
  // Cursors of the pages seen, to go back without OFFSET.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const filter = asked.keyword.trim() ? { keyword: asked.keyword.trim() } : null;
  const [result] = useQuery({ query: StockStatisticsDocument, variables: { from: asked.from, to: asked.to, filter, first: 50, after }, requestPolicy: 'network-only' });
  const page = result.data?.stockStatistics;
  return (
    <section>
      <PageTitle>库存统计</PageTitle>
      <form className="filters" aria-label="统计条件" onSubmit={(e) => { e.preventDefault(); setCursors([null]); setAsked(form); }}>
        <label>开始日期<input type="date" name="from" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} required /></label>
        <label>结束日期<input type="date" name="to" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} required /></label>
        <label>商品或规格<input name="keyword" value={form.keyword} onChange={(e) => setForm({ ...form, keyword: e.target.value })} /></label>
        <button type="submit">查询</button>
      </form>
      <p className="muted">线上商城（门店 ONLINE）的库存，单位：件。在库 = 可售 + 待付款占用；期初 + 入库 − 出库 − 售出 + 退回 = 期末。门店不持有库存。</p>
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !page} />
      {page && (
        <div className="card">
          <h2>库存明细（{page.storeCode}，{page.from} ~ {page.to}）</h2>
          <table className="table" aria-label="库存统计">
            <thead>
              <tr><th>SKU</th><th>商品</th><th>规格</th><th>期初在库</th><th>入库</th><th>出库</th><th>售出</th><th>退回</th><th>期末在库</th><th>当前占用</th><th>当前可售</th></tr>
            </thead>
            <tbody>
              {page.edges.map(({ node }) => (
                <tr key={node.sku.id} data-testid={`inventory-${node.sku.id}`}>
                  <td>{node.sku.id}</td><td>{node.productTitle}</td><td>{node.skuName}{node.sku.deleted ? '（已删除）' : ''}</td>
                  <td>{node.opening}</td><td>{node.added}</td><td>{node.removed}</td>
                  <td data-testid={`inventory-sold-${node.sku.id}`}>{node.sold}</td><td>{node.returned}</td>
                  <td data-testid={`inventory-closing-${node.sku.id}`}>{node.closing}</td><td>{node.reserved}</td><td>{node.available}</td>
                </tr>
              ))}
              {!page.edges.length && <tr><td colSpan={11} className="muted">没有符合条件的商品</td></tr>}
            </tbody>
          </table>
          <div className="pager">
            {cursors.length > 1 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>上一页</button>}
            {page.pageInfo.hasNextPage && <button type="button" onClick={() => setCursors([...cursors, page.pageInfo.endCursor ?? null])}>下一页</button>}
          </div>
        </div>
      )}
    </section>
  );
}
