/**
 * The dashboard: today's orders and sales per hour (order's orderSalesToday), and, for open-platform operators, calls
 * per minute (one openCallsPerMinute query) and errors per minute, the slowest methods and error rates (the open subgraph's statistics). Each block shows what the
 * viewer's scopes allow: the API refuses the rest.
 */
import { useState } from 'react';
import { Bar, Line } from 'react-chartjs-2';
import { useQuery } from 'urql';
import '../charts';
import { yuan } from '../format';
import { OpenCallStatisticsDocument, OpenCallsPerMinuteDocument, OrderSalesTodayDocument } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

export function DashboardPage({ scopes }: { scopes?: string[] }) {
  return (
    <section>
      <PageTitle>经营看板</PageTitle>
      {(!scopes || scopes.includes('order:write')) && <TodaySales />}
      {(!scopes || scopes.includes('open:admin')) && <OpenPlatformCharts />}
    </section>
  );
}

function TodaySales() {
  const [today] = useQuery({ query: OrderSalesTodayDocument, requestPolicy: 'network-only' });
  const figures = today.data?.orderSalesToday;
  return (
    <div className="card">
      <h2>今日订单与销售额 {figures ? `（${figures.date}）` : ''}</h2>
      <ErrorNote error={today.error} />
      <Loading when={today.fetching && !figures} />
      {figures && (
        <>
          <div className="stats">
            <div><span>下单数</span><strong data-testid="today-orders">{figures.orders}</strong></div>
            <div><span>付款单数</span><strong>{figures.paidOrders}</strong></div>
            <div><span>销售额</span><strong data-testid="today-sales">{yuan(figures.sales)}</strong></div>
            <div><span>退款额</span><strong>{yuan(figures.refunded)}</strong></div>
          </div>
          <div className="chart">
            <Bar
              aria-label="今日每小时订单与销售额"
              data={{
                labels: figures.hours.map((h) => `${h.hour}时`),
                datasets: [
                  { label: '下单数', data: figures.hours.map((h) => h.orders), backgroundColor: '#3b82f6', yAxisID: 'orders' },
                  { label: '销售额（元）', data: figures.hours.map((h) => h.sales / 100), backgroundColor: '#f59e0b', yAxisID: 'sales' },
                ],
              }}
              options={{ maintainAspectRatio: false, scales: { orders: { position: 'left', beginAtZero: true }, sales: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } } }}
            />
          </div>
        </>
      )}
    </div>
  );
}

const MINUTES = 12;

/** The last MINUTES whole minutes, the current one included: [from, to) on minute boundaries. */
function minuteWindow() {
  const to = Math.ceil((Date.now() + 1) / 60_000) * 60_000;
  return { from: new Date(to - MINUTES * 60_000).toISOString(), to: new Date(to).toISOString() };
}

function OpenPlatformCharts() {
  // The window is fixed until 刷新: a re-render must not move it (and refetch).
  const [range, setRange] = useState(minuteWindow);
  const [perMinute] = useQuery({ query: OpenCallsPerMinuteDocument, variables: range, requestPolicy: 'network-only' });
  const [methods] = useQuery({
    query: OpenCallStatisticsDocument,
    variables: { from: new Date(Date.parse(range.to) - 86_400_000).toISOString(), to: range.to },
    requestPolicy: 'network-only',
  });
  const buckets = perMinute.data?.openCallsPerMinute;
  const slowest = [...(methods.data?.openCallStatistics ?? [])].sort((a, b) => b.averageMs - a.averageMs).slice(0, 10);
  const errorRates = [...(methods.data?.openCallStatistics ?? [])].filter((m) => m.calls > 0).sort((a, b) => b.errors / b.calls - a.errors / a.calls).slice(0, 10);
  const label = (iso: string) => {
    const at = new Date(iso);
    return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  };
  return (
    <>
      <div className="card">
        <div className="card-head">
          <h2>开放平台每分钟调用（近 {MINUTES} 分钟）</h2>
          <button type="button" onClick={() => setRange(minuteWindow())} disabled={perMinute.fetching}>刷新</button>
        </div>
        <ErrorNote error={perMinute.error} />
        {buckets && (
          <>
            <div className="stats">
              <div><span>调用</span><strong data-testid="minute-calls">{buckets.reduce((sum, b) => sum + b.calls, 0)}</strong></div>
              <div><span>错误</span><strong data-testid="minute-errors">{buckets.reduce((sum, b) => sum + b.errors, 0)}</strong></div>
              <div><span>最慢（ms）</span><strong>{Math.max(0, ...buckets.map((b) => b.maxMs ?? 0))}</strong></div>
            </div>
            <div className="two">
              <div className="chart">
                <Line
                  aria-label="每分钟调用"
                  data={{
                    labels: buckets.map((b) => label(b.minute)),
                    datasets: [
                      { label: '调用', data: buckets.map((b) => b.calls), borderColor: '#3b82f6' },
                      { label: '平均耗时（ms）', data: buckets.map((b) => b.averageMs), borderColor: '#8b5cf6', yAxisID: 'ms', spanGaps: true },
                    ],
                  }}
                  options={{ maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, ms: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } } }}
                />
              </div>
              <div className="chart">
                <Bar
                  aria-label="每分钟错误"
                  data={{ labels: buckets.map((b) => label(b.minute)), datasets: [{ label: '错误', data: buckets.map((b) => b.errors), backgroundColor: '#ef4444' }] }}
                  options={{ maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }}
                />
              </div>
            </div>
          </>
        )}
      </div>
      <div className="card two">
        <div>
          <h2>最慢的接口（近 24 小时平均耗时）</h2>
          <ErrorNote error={methods.error} />
          <div className="chart">
            <Bar aria-label="最慢的接口" data={{ labels: slowest.map((m) => m.method), datasets: [{ label: '平均耗时（ms）', data: slowest.map((m) => m.averageMs), backgroundColor: '#8b5cf6' }] }} options={{ indexAxis: 'y', maintainAspectRatio: false }} />
          </div>
        </div>
        <div>
          <h2>错误率（近 24 小时）</h2>
          <div className="chart">
            <Bar aria-label="错误率" data={{ labels: errorRates.map((m) => m.method), datasets: [{ label: '错误率（%）', data: errorRates.map((m) => Math.round((m.errors / m.calls) * 1000) / 10), backgroundColor: '#ef4444' }] }} options={{ indexAxis: 'y', maintainAspectRatio: false, scales: { x: { min: 0, max: 100 } } }} />
          </div>
        </div>
      </div>
    </>
  );
}
