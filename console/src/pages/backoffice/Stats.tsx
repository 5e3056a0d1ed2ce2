/**
 * Store statistics (seed 001's 经营统计概览 and 销售统计列表) for one of my stores, or all of them, over a period of
 * China dates: totals, a chart per day, and the best-selling SKUs. Figures are user's read model (docs/back-office.md):
 * a physical store's are its coupon redemptions; online orders count under the store ONLINE.
 */
import { useState } from 'react';
import { Bar } from 'react-chartjs-2';
import { useQuery } from 'urql';
import '../../charts';
import { yuan } from '../../format';
import { StoreSkuSalesDocument, StoreStatisticsDocument } from '../../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../../ui';
import { StorePicker } from './StorePicker';

/** The China date (YYYY-MM-DD) `daysAgo` days before today. */
function chinaDate(daysAgo: number): string {
  return new Date(Date.now() + 8 * 3600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

export function StoreStatsPage() {
  const [form, setForm] = useState({ storeCode: '', from: chinaDate(6), to: chinaDate(0) });
  const [asked, setAsked] = useState(form);
  const [overview] = useQuery({ query: StoreStatisticsDocument, variables: { storeCode: asked.storeCode || null, from: asked.from, to: asked.to }, requestPolicy: 'network-only' });
  const [skus] = useQuery({ query: StoreSkuSalesDocument, variables: { storeCode: asked.storeCode, from: asked.from, to: asked.to }, pause: !asked.storeCode, requestPolicy: 'network-only' });
  const figures = overview.data?.storeStatistics;
  return (
    <section>
      <PageTitle>门店统计</PageTitle>
      <form className="filters" aria-label="统计条件" onSubmit={(e) => { e.preventDefault(); setAsked(form); }}>
        <StorePicker value={form.storeCode} onChange={(storeCode) => setForm((f) => ({ ...f, storeCode }))} allowAll />
        <label>开始日期<input type="date" name="from" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} required /></label>
        <label>结束日期<input type="date" name="to" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} required /></label>
        <button type="submit">查询</button>
      </form>
      <ErrorNote error={overview.error} />
      <Loading when={overview.fetching && !figures} />
      {figures && (
        <div className="card">
          <h2>经营概览（{figures.storeCode ?? '全部门店'}，{figures.from} ~ {figures.to}）</h2>
          <div className="stats">
            <div><span>下单数</span><strong>{figures.totals.ordersPlaced}</strong></div>
            <div><span>付款单数</span><strong>{figures.totals.ordersPaid}</strong></div>
            <div><span>销售额</span><strong>{yuan(figures.totals.salesAmount)}</strong></div>
            <div><span>退款额</span><strong>{yuan(figures.totals.refundedAmount)}</strong></div>
            <div><span>核销券数</span><strong data-testid="coupons-redeemed">{figures.totals.couponsRedeemed}</strong></div>
            <div><span>核销面额</span><strong data-testid="coupon-amount">{yuan(figures.totals.couponAmount)}</strong></div>
          </div>
          <div className="chart">
            <Bar
              aria-label="每日经营"
              data={{
                labels: figures.days.map((d) => d.day.slice(5)),
                datasets: [
                  { label: '核销券数', data: figures.days.map((d) => d.couponsRedeemed), backgroundColor: '#10b981', yAxisID: 'count' },
                  { label: '付款单数', data: figures.days.map((d) => d.ordersPaid), backgroundColor: '#3b82f6', yAxisID: 'count' },
                  { label: '销售额（元）', data: figures.days.map((d) => d.salesAmount / 100), backgroundColor: '#f59e0b', yAxisID: 'amount' },
                ],
              }}
              options={{ maintainAspectRatio: false, scales: { count: { position: 'left', beginAtZero: true, ticks: { precision: 0 } }, amount: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } } }}
            />
          </div>
        </div>
      )}
      {asked.storeCode && (
        <div className="card">
          <h2>商品销售（已完成订单，件数）</h2>
          <ErrorNote error={skus.error} />
          <table className="table" aria-label="商品销售">
            <thead><tr><th>SKU</th><th>商品</th><th>件数</th><th>订单数</th></tr></thead>
            <tbody>
              {skus.data?.storeSkuSales.map((line) => (
                <tr key={line.skuId}><td>{line.skuId}</td><td>{line.productId}</td><td>{line.quantity}</td><td>{line.orders}</td></tr>
              ))}
              {skus.data && !skus.data.storeSkuSales.length && <tr><td colSpan={4} className="muted">这段时间没有销售</td></tr>}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
