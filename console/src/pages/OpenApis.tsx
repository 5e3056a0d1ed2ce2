/** Open platform APIs: each method, its state, whether it is idempotent, its cost, concurrency and alert threshold. */
import { useQuery } from 'urql';
import { OpenApisDocument } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

export function OpenApisPage() {
  const [apis] = useQuery({ query: OpenApisDocument });
  return (
    <section>
      <PageTitle>接口</PageTitle>
      <ErrorNote error={apis.error} />
      <Loading when={apis.fetching && !apis.data} />
      <table className="table" aria-label="接口列表">
        <thead><tr><th>方法</th><th>状态</th><th>幂等</th><th>计费</th><th>并发上限</th><th>告警阈值</th><th>说明</th></tr></thead>
        <tbody>
          {apis.data?.openApis.map((api) => (
            <tr key={api.id}>
              <td><code>{api.method}</code></td><td>{api.enabled ? '可用' : '不可用'}</td><td>{api.idempotent ? '是' : '否'}</td><td>{api.cost}</td>
              <td>{api.maxConcurrency}</td><td>{api.alertThresholdMs ? `${api.alertThresholdMs} ms` : '—'}</td><td>{api.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
