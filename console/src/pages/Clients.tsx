/**
 * Client releases and the safelist (docs/persisted-operations.md): the clients (names with a release or a mode set),
 * each one's mode with a control (ENFORCE only after a confirmation: the client's operations outside its live
 * manifests are refused from then on), and its releases with their traffic; retiring a release, the API's refusal
 * shown when the version still served requests in the last 7 days.
 */
import { useState } from 'react';
import type { CombinedError } from 'urql';
import { useMutation, useQuery } from 'urql';
import { time } from '../format';
import { ClientReleasesDocument, RetireClientReleaseDocument, SetClientSafelistModeDocument, type ClientReleaseFieldsFragment, type SafelistMode } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

const MODES: Record<SafelistMode, string> = {
  OFF: 'OFF（不检查）',
  AUDIT: 'AUDIT（记录清单外操作）',
  ENFORCE: 'ENFORCE（拒绝清单外操作）',
};

export function ClientsPage() {
  const [result, refetch] = useQuery({ query: ClientReleasesDocument, requestPolicy: 'network-only' });
  const releases = result.data?.clientReleases ?? [];
  const modes = result.data?.clientSafelistModes ?? [];
  const names = [...new Set([...releases.map((r) => r.clientName), ...modes.map((m) => m.clientName)])].sort();
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <section>
      <PageTitle>客户端发布</PageTitle>
      <p className="muted">每个客户端的持久化操作清单与安全名单模式。未设置模式的客户端使用路由的默认模式（SAFELIST_DEFAULT_MODE）。</p>
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !result.data} />
      {result.data && !names.length && <div className="muted">还没有登记任何客户端发布。</div>}
      {names.map((name) => (
        <ClientCard
          key={name}
          name={name}
          mode={modes.find((m) => m.clientName === name)}
          releases={releases.filter((r) => r.clientName === name)}
          onChanged={reload}
        />
      ))}
    </section>
  );
}

function ClientCard({ name, mode, releases, onChanged }: {
  name: string;
  mode?: { mode: SafelistMode; updatedAt: string; updatedBy?: string | null };
  releases: ClientReleaseFieldsFragment[];
  onChanged: () => void;
}) {
  const [choice, setChoice] = useState<SafelistMode>(mode?.mode ?? 'OFF');
  const [setting, setMode] = useMutation(SetClientSafelistModeDocument);
  const [retiring, retire] = useMutation(RetireClientReleaseDocument);
  const [refusal, setRefusal] = useState<{ version: string; error: CombinedError } | null>(null);

  async function apply(event: React.FormEvent) {
    event.preventDefault();
    if (choice === 'ENFORCE' && !window.confirm(`将 ${name} 设为 ENFORCE？该客户端不在已登记清单中的操作将被拒绝。`)) return;
    const answer = await setMode({ clientName: name, mode: choice });
    if (answer.data) onChanged();
  }
  async function retireRelease(version: string) {
    if (!window.confirm(`下线 ${name} ${version}？下线后该版本的操作不再被接受。`)) return;
    setRefusal(null);
    const answer = await retire({ clientName: name, version });
    if (answer.error) setRefusal({ version, error: answer.error });
    else onChanged();
  }
  const conflict = refusal?.error.graphQLErrors.some((e) => e.extensions?.code === 'CONFLICT');
  return (
    <div className="card" role="group" aria-label={`客户端 ${name}`}>
      <div className="card-head">
        <strong>{name}</strong>
        <span className="tag" data-testid={`mode-${name}`}>{mode ? mode.mode : '默认'}</span>
        {mode && <span className="muted">设置于 {time(mode.updatedAt)}{mode.updatedBy ? `（${mode.updatedBy}）` : ''}</span>}
      </div>
      <form className="filters" aria-label={`${name} 的安全名单模式`} onSubmit={apply}>
        <label>
          模式
          <select value={choice} onChange={(e) => setChoice(e.target.value as SafelistMode)}>
            {Object.entries(MODES).map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={setting.fetching || choice === mode?.mode}>设置模式</button>
      </form>
      <ErrorNote error={setting.error} />
      {refusal && (
        <div className="error" role="alert">
          <div>{conflict ? `无法下线 ${name} ${refusal.version}：该版本近 7 天仍有请求。` : `下线 ${name} ${refusal.version} 失败。`}</div>
        </div>
      )}
      {refusal && <ErrorNote error={refusal.error} />}
      <table className="table" aria-label={`${name} 的发布`}>
        <thead><tr><th>版本</th><th>操作数</th><th>近 7 天请求</th><th>最近请求</th><th>登记</th><th>状态</th><th></th></tr></thead>
        <tbody>
          {releases.map((release) => (
            <tr key={release.id} data-version={release.version}>
              <td><code>{release.version}</code></td>
              <td>{release.operationCount}</td>
              <td>{release.requestsLast7Days}</td>
              <td>{time(release.lastSeenAt)}</td>
              <td>{time(release.registeredAt)}{release.registeredBy ? `（${release.registeredBy}）` : ''}</td>
              <td>{release.retiredAt ? `已下线（${time(release.retiredAt)}）` : '在用'}</td>
              <td>{!release.retiredAt && <button type="button" className="link" disabled={retiring.fetching} onClick={() => retireRelease(release.version)}>下线</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
