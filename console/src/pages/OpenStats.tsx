/** Call statistics per method over a time range (to the second), today's top 10 methods, and the slow-call alerts. */
import { useState } from 'react';
import { Bar } from 'react-chartjs-2';
import { useQuery } from 'urql';
import '../charts';
import { fromLocalInput, localInput, time } from '../format';
import { OpenAlertsDocument, OpenCallStatisticsDocument, OpenTodayRankingDocument } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

export function OpenStatsPage() {
  const [ranking] = useQuery({ query: OpenTodayRankingDocument, variables: { limit: 10 }, requestPolicy: 'network-only' });
  const [form, setForm] = useState(() => ({ from: localInput(new Date(Date.now() - 86_400_000)), to: localInput(new Date(Date.now() + 60_000)), appKey: '', method: '' }));
  const [range, setRange] = useState(() => ({ from: fromLocalInput(form.from)!, to: fromLocalInput(form.to)!, appKey: undefined as string | undefined, method: undefined as string | undefined }));
  const [stats] = useQuery({ query: OpenCallStatisticsDocument, variables: range, requestPolicy: 'network-only' });
  const [alerts] = useQuery({ query: OpenAlertsDocument, variables: { first: 20 }, requestPolicy: 'network-only' });
  const entries = ranking.data?.openTodayRanking.entries ?? [];
  return (
    <section>
      <PageTitle>调用统计</PageTitle>
      <div className="card">
        <h2>今日调用 Top 10 {ranking.data ? `（${ranking.data.openTodayRanking.date}）` : ''}</h2>
        <ErrorNote error={ranking.error} />
        <Loading when={ranking.fetching && !ranking.data} />
        <div className="two">
          <table className="table" aria-label="今日 Top 10">
            <thead><tr><th>排名</th><th>方法</th><th>调用次数</th></tr></thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.method}><td>{entry.rank}</td><td><code>{entry.method}</code></td><td>{entry.calls}</td></tr>
              ))}
            </tbody>
          </table>
          <div className="chart">
            <Bar aria-label="今日 Top 10 图" data={{ labels: entries.map((e) => e.method), datasets: [{ label: '调用次数', data: entries.map((e) => e.calls), backgroundColor: '#3b82f6' }] }} options={{ indexAxis: 'y', maintainAspectRatio: false }} />
          </div>
        </div>
        {ranking.data && !entries.length && <div className="muted">今天还没有调用</div>}
      </div>

      <div className="card">
        <h2>按方法统计</h2>
        <form className="filters" aria-label="统计范围" onSubmit={(e) => {
          e.preventDefault();
          const from = fromLocalInput(form.from);
          const to = fromLocalInput(form.to);
          if (from && to) setRange({ from, to, appKey: form.appKey.trim() || undefined, method: form.method.trim() || undefined });
        }}>
          <label>开始<input type="datetime-local" step="1" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} required /></label>
          <label>结束<input type="datetime-local" step="1" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} required /></label>
          <label>AppKey<input value={form.appKey} onChange={(e) => setForm({ ...form, appKey: e.target.value })} /></label>
          <label>方法<input value={form.method} onChange={(e) => setForm({ ...form, method: e.target.value })} /></label>
          <button type="submit">统计</button>
        </form>
        <ErrorNote error={stats.error} />
        <table className="table" aria-label="方法统计">
          <thead><tr><th>方法</th><th>调用</th><th>错误</th><th>错误率</th><th>平均耗时</th><th>最大耗时</th></tr></thead>
          <tbody>
            {stats.data?.openCallStatistics.map((m) => (
              <tr key={m.method}>
                <td><code>{m.method}</code></td><td>{m.calls}</td><td>{m.errors}</td><td>{m.calls ? `${((m.errors / m.calls) * 100).toFixed(1)}%` : '—'}</td>
                <td>{m.averageMs} ms</td><td>{m.maxMs} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="card">
        <h2>慢调用告警</h2>
        <ErrorNote error={alerts.error} />
        <table className="table" aria-label="告警">
          <thead><tr><th>方法</th><th>平均耗时</th><th>阈值</th><th>调用</th><th>时间窗</th></tr></thead>
          <tbody>
            {alerts.data?.openAlerts.edges.map(({ node }) => (
              <tr key={node.id}><td><code>{node.method}</code></td><td>{node.averageMs} ms</td><td>{node.thresholdMs} ms</td><td>{node.calls}</td><td>{time(node.windowStart)} ~ {time(node.windowEnd)}</td></tr>
            ))}
          </tbody>
        </table>
        {alerts.data && !alerts.data.openAlerts.edges.length && <div className="muted">暂无告警</div>}
      </div>
    </section>
  );
}
