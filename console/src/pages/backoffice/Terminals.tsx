/**
 * A store's terminals (seed 001's 设备): the list with last sign-in, a binding code for a new device (10 minutes, once;
 * the device binds itself with it), and revoking a device (its sessions end, its secret is refused).
 */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { time } from '../../format';
import { IssueTerminalBindingCodeDocument, RevokeTerminalDocument, TerminalsDocument } from '../../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../../ui';
import { StorePicker } from './StorePicker';

export function TerminalsPage() {
  const [storeCode, setStoreCode] = useState('');
  const [result, refetch] = useQuery({ query: TerminalsDocument, variables: { storeCode, first: 50 }, pause: !storeCode, requestPolicy: 'network-only' });
  const [issued, issue] = useMutation(IssueTerminalBindingCodeDocument);
  const [revoked, revoke] = useMutation(RevokeTerminalDocument);
  const [binding, setBinding] = useState<{ code: string; expiresAt: string; storeCode: string } | null>(null);
  return (
    <section>
      <PageTitle>终端设备</PageTitle>
      <div className="filters">
        <StorePicker value={storeCode} onChange={(code) => { setStoreCode(code); setBinding(null); }} />
        <button type="button" disabled={!storeCode || issued.fetching} onClick={async () => {
          const answer = await issue({ storeCode });
          if (answer.data) setBinding(answer.data.issueTerminalBindingCode);
        }}>生成绑定码</button>
        <button type="button" disabled={!storeCode} onClick={() => refetch({ requestPolicy: 'network-only' })}>刷新</button>
      </div>
      {binding && (
        <div className="notice" role="status">
          门店 {binding.storeCode} 的绑定码：<strong className="secret" data-testid="binding-code">{binding.code}</strong>（{time(binding.expiresAt)} 前在设备上输入，仅可使用一次）
        </div>
      )}
      <ErrorNote error={result.error ?? issued.error ?? revoked.error} />
      <Loading when={result.fetching && !result.data} />
      <table className="table" aria-label="终端列表">
        <thead><tr><th>名称</th><th>设备号</th><th>绑定时间</th><th>最近登录</th><th>状态</th><th>操作</th></tr></thead>
        <tbody>
          {result.data?.terminals.edges.map(({ node }) => (
            <tr key={node.id} data-testid={`terminal-${node.id}`}>
              <td>{node.name}</td><td>{node.deviceId ?? '—'}</td><td>{time(node.boundAt)}</td><td>{time(node.lastSeenAt)}</td>
              <td>{node.revokedAt ? `已注销（${time(node.revokedAt)}）` : '使用中'}</td>
              <td>{!node.revokedAt && <button type="button" className="link" onClick={() => revoke({ id: node.id })}>注销</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
