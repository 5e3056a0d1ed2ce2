/**
 * The dashboard: today's orders and sales per hour (order's orderSalesToday), and, for open-platform operators, calls
 * per minute, the slowest methods and error rates (the open subgraph's statistics). Each block shows what the
 * viewer's scopes allow: the API refuses the rest.
 */
import { useMemo } from 'react';
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

function OpenPlatformCharts() {
  // Minute boundaries fixed at mount: a re-render must not move the windows (and refetch).
  const bounds = useMemo(() => {
    const end = Math.ceil(Date.now() / 60_000) * 60_000;
    return Array.from({ length: MINUTES + 1 }, (_, i) => new Date(end - (MINUTES - i) * 60_000));
  }, []);
  const variables = Object.fromEntries(bounds.map((at, i) => [`t${i}`, at.toISOString()])) as Record<`t${number}`, string>;
  const [perMinute] = useQuery({ query: OpenCallsPerMinuteDocument, variables: variables as never, requestPolicy: 'network-only' });
  const [methods] = useQuery({
    query: OpenCallStatisticsDocument,
    variables: { from: new Date(bounds[MINUTES].getTime() - 86_400_000).toISOString(), to: bounds[MINUTES].toISOString() },
    requestPolicy: 'network-only',
  });
  const minuteData = perMinute.data as Record<string, { calls: number; errors: number }[]> | undefined;
  const slowest = [...(methods.data?.openCallStatistics ?? [])].sort((a, b) => b.averageMs - a.averageMs).slice(0, 10);
  const errorRates = [...(methods.data?.openCallStatistics ?? [])].filter((m) => m.calls > 0).sort((a, b) => b.errors / b.calls - a.errors / a.calls).slice(0, 10);
  const label = (at: Date) => `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  return (
    <>
      <div className="card">
        <h2>开放平台每分钟调用（近 {MINUTES} 分钟）</h2>
        <ErrorNote error={perMinute.error} />
        {minuteData && (
          <div className="chart">
            <Line
              aria-label="每分钟调用"
              data={{
                labels: bounds.slice(0, MINUTES).map(label),
                datasets: [
                  { label: '调用', data: Array.from({ length: MINUTES }, (_, i) => (minuteData[`m${i}`] ?? []).reduce((s, m) => s + m.calls, 0)), borderColor: '#3b82f6' },
                  { label: '错误', data: Array.from({ length: MINUTES }, (_, i) => (minuteData[`m${i}`] ?? []).reduce((s, m) => s + m.errors, 0)), borderColor: '#ef4444' },
                ],
              }}
              options={{ maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }}
            />
          </div>
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
