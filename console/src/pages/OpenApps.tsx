/**
 * Open platform apps: create (the secret is shown once, never again), rotate the secret, limits, enable/disable, the
 * methods granted, and the app's merchant sessions.
 */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { fromLocalInput, localInput, time } from '../format';
import {
  CreateOpenAppDocument,
  CreateOpenSessionDocument,
  GrantOpenApiDocument,
  OpenApisDocument,
  OpenAppsDocument,
  OpenSessionsDocument,
  RevokeOpenApiGrantDocument,
  RevokeOpenSessionDocument,
  RotateOpenAppSecretDocument,
  UpdateOpenAppDocument,
  type OpenAppFieldsFragment,
} from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

export function OpenAppsPage() {
  const [apps, refetch] = useQuery({ query: OpenAppsDocument, variables: { first: 100 } });
  const [created, create] = useMutation(CreateOpenAppDocument);
  const [secret, setSecret] = useState<{ appKey: string; secret: string } | null>(null);
  const [form, setForm] = useState({ name: '', corpName: '', minuteLimit: '600', dailyLimit: '100000' });
  const [selected, setSelected] = useState<string | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const answer = await create({
      input: { name: form.name, corpName: form.corpName || null, minuteLimit: Number(form.minuteLimit), dailyLimit: Number(form.dailyLimit) },
    });
    const payload = answer.data?.createOpenApp;
    if (payload) {
      setSecret({ appKey: payload.app.appKey, secret: payload.secret });
      setForm({ ...form, name: '', corpName: '' });
      refetch({ requestPolicy: 'network-only' });
    }
  }
  const list = apps.data?.openApps.edges.map((edge) => edge.node) ?? [];
  const current = list.find((app) => app.appKey === selected);
  return (
    <section>
      <PageTitle>应用</PageTitle>
      {secret && <SecretOnce {...secret} onClose={() => setSecret(null)} />}
      <form className="filters" onSubmit={submit} aria-label="创建应用">
        <label>应用名称<input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required /></label>
        <label>企业名称<input name="corpName" value={form.corpName} onChange={(e) => setForm({ ...form, corpName: e.target.value })} /></label>
        <label>每分钟上限<input name="minuteLimit" type="number" min="1" value={form.minuteLimit} onChange={(e) => setForm({ ...form, minuteLimit: e.target.value })} /></label>
        <label>每日上限<input name="dailyLimit" type="number" min="1" value={form.dailyLimit} onChange={(e) => setForm({ ...form, dailyLimit: e.target.value })} /></label>
        <button type="submit" disabled={created.fetching}>创建应用</button>
      </form>
      <ErrorNote error={created.error ?? apps.error} />
      <Loading when={apps.fetching && !apps.data} />
      <table className="table" aria-label="应用列表">
        <thead><tr><th>应用</th><th>AppKey</th><th>企业</th><th>状态</th><th>每分钟</th><th>每日</th><th>已授权接口</th><th>创建时间</th></tr></thead>
        <tbody>
          {list.map((app) => (
            <tr key={app.appKey} className={app.appKey === selected ? 'selected' : undefined}>
              <td><button type="button" className="link" onClick={() => setSelected(app.appKey)}>{app.name}</button></td>
              <td><code>{app.appKey}</code></td><td>{app.corpName ?? '—'}</td><td>{app.enabled ? '启用' : '停用'}</td>
              <td>{app.minuteLimit}</td><td>{app.dailyLimit}</td><td>{app.grantedMethods.join('，') || '—'}</td><td>{time(app.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {current && <AppDetail key={current.appKey} app={current} onSecret={setSecret} />}
    </section>
  );
}

/** The secret, once: the API never shows it again (rotate to get a new one). */
function SecretOnce({ appKey, secret, onClose }: { appKey: string; secret: string; onClose: () => void }) {
  return (
    <div className="secret" role="dialog" aria-label="应用密钥">
      <p>应用 <code>{appKey}</code> 的密钥（仅显示这一次，请立即妥善保存）：</p>
      <pre data-testid="app-secret">{secret}</pre>
      <button type="button" onClick={onClose}>我已保存</button>
    </div>
  );
}

function AppDetail({ app, onSecret }: { app: OpenAppFieldsFragment; onSecret: (value: { appKey: string; secret: string }) => void }) {
  const [limits, setLimits] = useState({ minuteLimit: String(app.minuteLimit), dailyLimit: String(app.dailyLimit) });
  const [updated, update] = useMutation(UpdateOpenAppDocument);
  const [rotated, rotate] = useMutation(RotateOpenAppSecretDocument);
  const [granted, grant] = useMutation(GrantOpenApiDocument);
  const [revoked, revoke] = useMutation(RevokeOpenApiGrantDocument);
  const [apis] = useQuery({ query: OpenApisDocument });
  const [method, setMethod] = useState('');

  async function rotateSecret() {
    if (!window.confirm('轮换后旧密钥在 24 小时后失效，确定轮换？')) return;
    const answer = await rotate({ appKey: app.appKey });
    if (answer.data) onSecret({ appKey: app.appKey, secret: answer.data.rotateOpenAppSecret.secret });
  }
  return (
    <div className="card" aria-label={`应用 ${app.name}`}>
      <div className="card-head">
        <strong>{app.name}</strong> <code>{app.appKey}</code>
        <button type="button" onClick={() => update({ appKey: app.appKey, input: { enabled: !app.enabled } })}>{app.enabled ? '停用' : '启用'}</button>
        <button type="button" onClick={rotateSecret}>轮换密钥</button>
      </div>
      {app.secretRotatedAt && <p className="muted">密钥轮换于 {time(app.secretRotatedAt)}，旧密钥有效至 {time(app.previousSecretValidUntil)}</p>}
      <ErrorNote error={updated.error ?? rotated.error ?? granted.error ?? revoked.error} />
      <form className="filters" aria-label="调用限额" onSubmit={(e) => { e.preventDefault(); update({ appKey: app.appKey, input: { minuteLimit: Number(limits.minuteLimit), dailyLimit: Number(limits.dailyLimit) } }); }}>
        <label>每分钟上限<input type="number" value={limits.minuteLimit} onChange={(e) => setLimits({ ...limits, minuteLimit: e.target.value })} /></label>
        <label>每日上限<input type="number" value={limits.dailyLimit} onChange={(e) => setLimits({ ...limits, dailyLimit: e.target.value })} /></label>
        <button type="submit">保存限额</button>
      </form>
      <h3>接口授权</h3>
      <ul className="plain">
        {app.grantedMethods.map((granted) => (
          <li key={granted}><code>{granted}</code> <button type="button" className="link" onClick={() => revoke({ appKey: app.appKey, method: granted })}>取消授权</button></li>
        ))}
      </ul>
      <form className="filters" aria-label="授权接口" onSubmit={(e) => { e.preventDefault(); if (method) grant({ appKey: app.appKey, method }); }}>
        <label>
          接口
          <select value={method} onChange={(e) => setMethod(e.target.value)}>
            <option value="">选择接口</option>
            {apis.data?.openApis.filter((api) => !app.grantedMethods.includes(api.method)).map((api) => (
              <option key={api.method} value={api.method}>{api.method}</option>
            ))}
          </select>
        </label>
        <button type="submit">授权</button>
      </form>
      <MerchantSessions appKey={app.appKey} />
    </div>
  );
}

/** Scopes a merchant session may carry (the open subgraph's SESSION_SCOPES: never an administration scope). */
const SESSION_SCOPES: readonly { scope: string; name: string }[] = [
  { scope: 'order:write', name: '订单' },
  { scope: 'catalog:write', name: '商品' },
  { scope: 'promote:write', name: '营销' },
  { scope: 'payment:refund', name: '退款' },
  { scope: 'review:moderate', name: '评价审核' },
  { scope: 'member:write', name: '会员' },
  { scope: 'subscription:erp', name: '订阅（ERP）' },
  { scope: 'store:operate', name: '门店操作' },
];

/** The app's merchant sessions: enter one (its token shown once, like the app secret), revoke one. */
function MerchantSessions({ appKey }: { appKey: string }) {
  const [sessions, refetch] = useQuery({ query: OpenSessionsDocument, variables: { appKey } });
  const [created, create] = useMutation(CreateOpenSessionDocument);
  const [revoked, revoke] = useMutation(RevokeOpenSessionDocument);
  const [form, setForm] = useState(() => ({ merchant: '', scopes: ['order:write'], expiresAt: localInput(new Date(Date.now() + 30 * 86_400_000)) }));
  const [token, setToken] = useState<{ token: string; merchant: string } | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setToken(null);
    const answer = await create({ input: { appKey, merchant: form.merchant.trim(), scopes: form.scopes, expiresAt: fromLocalInput(form.expiresAt) ?? form.expiresAt } });
    const payload = answer.data?.createOpenSession;
    if (payload) {
      setToken({ token: payload.token, merchant: payload.session.merchant });
      setForm({ ...form, merchant: '' });
      refetch({ requestPolicy: 'network-only' });
    }
  }
  async function end(id: string, merchant: string) {
    if (!window.confirm(`撤销商户 ${merchant} 的会话？撤销后该令牌立即失效。`)) return;
    const answer = await revoke({ id });
    if (answer.data) refetch({ requestPolicy: 'network-only' });
  }
  const toggle = (scope: string, on: boolean) => setForm({ ...form, scopes: on ? [...form.scopes, scope] : form.scopes.filter((s) => s !== scope) });
  const now = Date.now();
  return (
    <>
      <h3>商户会话</h3>
      {token && (
        <div className="secret" role="dialog" aria-label="会话令牌">
          <p>商户 {token.merchant} 的会话令牌（仅显示这一次，请立即交给 ISV，调用时放在 <code>X-Session</code> 头）：</p>
          <pre data-testid="session-token">{token.token}</pre>
          <button type="button" onClick={() => setToken(null)}>我已保存</button>
        </div>
      )}
      <form className="filters" aria-label="创建商户会话" onSubmit={submit}>
        <label>商户（用户 ID）<input name="merchant" value={form.merchant} onChange={(e) => setForm({ ...form, merchant: e.target.value })} required /></label>
        <label>过期时间<input name="expiresAt" type="datetime-local" step="1" value={form.expiresAt} onChange={(e) => setForm({ ...form, expiresAt: e.target.value })} required /></label>
        <fieldset className="inline" aria-label="会话权限">
          <legend className="muted">权限</legend>
          {SESSION_SCOPES.map(({ scope, name }) => (
            <label key={scope} className="check">
              <input type="checkbox" checked={form.scopes.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
              {name}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={created.fetching || !form.scopes.length}>创建会话</button>
      </form>
      <ErrorNote error={created.error ?? revoked.error ?? sessions.error} />
      <table className="table" aria-label="商户会话">
        <thead><tr><th>商户</th><th>权限</th><th>令牌</th><th>创建</th><th>过期</th><th>状态</th><th>操作</th></tr></thead>
        <tbody>
          {sessions.data?.openSessions.edges.map(({ node }) => {
            const state = node.revokedAt ? `已撤销（${time(node.revokedAt)}）` : Date.parse(node.expiresAt) <= now ? '已过期' : '有效';
            return (
              <tr key={node.id} data-session={node.id}>
                <td>{node.merchant}</td><td>{node.scopes.join('，')}</td><td><code>…{node.tokenHint}</code></td><td>{time(node.createdAt)}</td><td>{time(node.expiresAt)}</td>
                <td>{state}</td>
                <td>{!node.revokedAt && <button type="button" className="link" onClick={() => end(node.id, node.merchant)}>撤销</button>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
