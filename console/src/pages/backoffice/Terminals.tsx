/**
 * A store's terminals (seed 001's 设备): the list with last sign-in, a binding code for a new device (10 minutes, once;
 * the device binds itself with it), and revoking a device (its sessions end, its secret is refused).
 */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { time } from '../../format';
import { BackOfficeTerminalDocument, IssueTerminalBindingCodeDocument, RevokeTerminalDocument, TerminalsDocument } from '../../gql/graphql';
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
              <td><Link href={`/backoffice/terminals/${encodeURIComponent(node.id)}`}>{node.name}</Link></td><td>{node.deviceId ?? '—'}</td><td>{time(node.boundAt)}</td><td>{time(node.lastSeenAt)}</td>
              <td>{node.revokedAt ? `已注销（${time(node.revokedAt)}）` : '使用中'}</td>
              <td>{!node.revokedAt && <button type="button" className="link" onClick={() => revoke({ id: node.id })}>注销</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One terminal: its store, binding, last sign-in and state; revoking ends its sessions at once. */
export function TerminalDetailPage({ id }: { id: string }) {
  const [result, refetch] = useQuery({ query: BackOfficeTerminalDocument, variables: { id }, requestPolicy: 'network-only' });
  const [revoked, revoke] = useMutation(RevokeTerminalDocument);
  const [confirming, setConfirming] = useState(false);
  const terminal = result.data?.terminal;
  return (
    <section>
      <PageTitle>终端详情</PageTitle>
      <p><Link href="/backoffice/terminals">← 返回终端设备</Link></p>
      <ErrorNote error={result.error ?? revoked.error} />
      <Loading when={result.fetching && !terminal} />
      {terminal && (
        <div className="card" aria-label="终端信息">
          <dl className="facts">
            <dt>终端 ID</dt><dd>{terminal.id}</dd>
            <dt>名称</dt><dd>{terminal.name}</dd>
            <dt>设备号</dt><dd data-testid="terminal-device">{terminal.deviceId ?? '—'}</dd>
            <dt>门店</dt><dd data-testid="terminal-store">{terminal.store.code} {terminal.store.name}</dd>
            <dt>绑定时间</dt><dd>{time(terminal.boundAt)}</dd>
            <dt>最近登录</dt><dd data-testid="terminal-last-seen">{time(terminal.lastSeenAt)}</dd>
            <dt>状态</dt><dd data-testid="terminal-state">{terminal.revokedAt ? `已注销（${time(terminal.revokedAt)}）` : '使用中'}</dd>
          </dl>
          {!terminal.revokedAt && !confirming && <button type="button" onClick={() => setConfirming(true)}>注销终端</button>}
          {!terminal.revokedAt && confirming && (
            <div className="notice" role="status">
              注销后该设备立即下线，不能再登录。确定注销？
              <button type="button" disabled={revoked.fetching} onClick={async () => {
                const answer = await revoke({ id: terminal.id });
                setConfirming(false);
                if (answer.data) refetch({ requestPolicy: 'network-only' });
              }}>确定注销</button>
              <button type="button" className="link" onClick={() => setConfirming(false)}>取消</button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
