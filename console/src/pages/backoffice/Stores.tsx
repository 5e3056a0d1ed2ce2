/**
 * The stores directory (seed 001): search by a batch of codes (up to 500, as the seed asks) or a keyword, keyset pages;
 * add a store; a store's page shows it with its terminals and staff, edits it (upsertStore, the whole entry by code)
 * and sets its business status.
 */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { time } from '../../format';
import {
  BackOfficeStoreDocument,
  BackOfficeStoresDocument,
  IssueTerminalBindingCodeDocument,
  SetStoreBusinessStatusDocument,
  StaffAccountsDocument,
  TerminalsDocument,
  UpsertStoreDocument,
  type DirectoryStatus,
  type StoreBusinessStatus,
  type StoreFilter,
} from '../../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../../ui';
import { DIRECTORY_STATUS } from './Directory';

export const BUSINESS: Record<string, string> = { OPEN: '营业中', PAUSED: '暂停营业', CLOSED: '已关店' };

export function StoresPage() {
  const [codes, setCodes] = useState('');
  const [keyword, setKeyword] = useState('');
  const [filter, setFilter] = useState<StoreFilter>({});
  // The cursors of the pages before this one: "上一页" goes back without OFFSET.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const [result, refetch] = useQuery({ query: BackOfficeStoresDocument, variables: { filter, first: 20, after }, requestPolicy: 'cache-and-network' });
  const [creating, setCreating] = useState(false);
  const connection = result.data?.stores;
  function search(event: React.FormEvent) {
    event.preventDefault();
    const list = codes.split(/[\s,，]+/).filter(Boolean);
    setCursors([null]);
    setFilter({ ...(list.length ? { codes: list } : {}), ...(keyword.trim() ? { keyword: keyword.trim() } : {}) });
  }
  return (
    <section>
      <PageTitle>门店目录</PageTitle>
      <form className="filters" aria-label="门店搜索" onSubmit={search}>
        <label>门店编码（可批量，空格、逗号或换行分隔）<textarea name="codes" rows={2} value={codes} onChange={(e) => setCodes(e.target.value)} /></label>
        <label>关键词<input name="keyword" value={keyword} onChange={(e) => setKeyword(e.target.value)} /></label>
        <button type="submit">搜索</button>
        <button type="button" onClick={() => setCreating(!creating)}>新建门店</button>
      </form>
      {creating && <StoreEditor initial={NEW_STORE} onSaved={() => { setCreating(false); refetch({ requestPolicy: 'network-only' }); }} onCancel={() => setCreating(false)} />}
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !connection} />
      <table className="table" aria-label="门店列表">
        <thead><tr><th>编码</th><th>名称</th><th>加盟商</th><th>销售分公司</th><th>地址</th><th>电话</th><th>状态</th><th>营业状态</th></tr></thead>
        <tbody>
          {connection?.edges.map(({ node }) => (
            <tr key={node.id} data-testid={`store-${node.code}`}>
              <td><Link href={`/backoffice/stores/${encodeURIComponent(node.code)}`}>{node.code}</Link></td><td>{node.name}</td><td>{node.franchisee ? `${node.franchisee.code} ${node.franchisee.name}` : '—'}</td>
              <td>{node.branch ? `${node.branch.code} ${node.branch.name}` : '—'}</td><td>{node.address ?? '—'}</td><td>{node.phone ?? '—'}</td>
              <td>{node.status === 'ACTIVE' ? '启用' : '停用'}</td><td>{BUSINESS[node.businessStatus] ?? node.businessStatus}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {connection && (
        <div className="pager">
          {cursors.length > 1 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>上一页</button>}
          {connection.pageInfo.hasNextPage && <button type="button" onClick={() => setCursors([...cursors, connection.pageInfo.endCursor ?? null])}>下一页</button>}
        </div>
      )}
    </section>
  );
}

interface StoreForm {
  isNew: boolean;
  code: string;
  name: string;
  franchiseeCode: string;
  branchCode: string;
  address: string;
  phone: string;
  status: DirectoryStatus;
  businessStatus: StoreBusinessStatus;
}

const NEW_STORE: StoreForm = { isNew: true, code: '', name: '', franchiseeCode: '', branchCode: '', address: '', phone: '', status: 'ACTIVE', businessStatus: 'OPEN' };

/** Adds or changes a store: upsertStore writes the whole entry, so every field is sent as shown. */
function StoreEditor({ initial, onSaved, onCancel }: { initial: StoreForm; onSaved: () => void; onCancel: () => void }) {
  const [form, setForm] = useState(initial);
  const [saved, save] = useMutation(UpsertStoreDocument);
  const field = (name: 'code' | 'name' | 'franchiseeCode' | 'branchCode' | 'address' | 'phone') => ({
    name,
    value: form[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [name]: e.target.value }),
  });
  const optional = (value: string) => value.trim() || null;
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const answer = await save({
      input: {
        code: form.code.trim(), name: form.name.trim(), franchiseeCode: optional(form.franchiseeCode), branchCode: optional(form.branchCode),
        address: optional(form.address), phone: optional(form.phone), status: form.status, businessStatus: form.businessStatus,
      },
    });
    if (answer.data) onSaved();
  }
  const title = initial.isNew ? '新建门店' : `编辑门店 ${initial.code}`;
  return (
    <form className="card" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <div className="filters">
        {/* The code names the store between systems (staff, terminals, redemptions): fixed once made. */}
        <label>编码<input {...field('code')} readOnly={!initial.isNew} required /></label>
        <label>名称<input {...field('name')} required /></label>
        <label>加盟商编码<input {...field('franchiseeCode')} /></label>
        <label>分公司编码<input {...field('branchCode')} /></label>
        <label>地址<input {...field('address')} /></label>
        <label>电话<input {...field('phone')} /></label>
        <label>
          状态
          <select name="status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value as DirectoryStatus })}>
            <option value="ACTIVE">启用</option>
            <option value="DISABLED">停用</option>
          </select>
        </label>
        <label>
          营业状态
          <select name="businessStatus" value={form.businessStatus} onChange={(e) => setForm({ ...form, businessStatus: e.target.value as StoreBusinessStatus })}>
            {Object.entries(BUSINESS).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
      </div>
      <ErrorNote error={saved.error} />
      <button type="submit" disabled={saved.fetching}>保存</button>
      <button type="button" className="link" onClick={onCancel}>取消</button>
    </form>
  );
}

/** One store: its entry (edit, business status), its terminals (detail links, a binding code) and its staff accounts. */
export function StoreDetailPage({ code }: { code: string }) {
  const [result, refetch] = useQuery({ query: BackOfficeStoreDocument, variables: { code }, requestPolicy: 'network-only' });
  const [statusSet, setBusinessStatus] = useMutation(SetStoreBusinessStatusDocument);
  const [editing, setEditing] = useState(false);
  const store = result.data?.store;
  const [business, setBusiness] = useState<StoreBusinessStatus | ''>('');
  return (
    <section>
      <PageTitle>门店 {code}</PageTitle>
      <p><Link href="/backoffice/stores">← 返回门店目录</Link></p>
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !store} />
      {store && (
        <div className="card" aria-label="门店信息">
          <dl className="facts">
            <dt>编码</dt><dd>{store.code}</dd>
            <dt>名称</dt><dd data-testid="store-name">{store.name}</dd>
            <dt>加盟商</dt><dd>{store.franchisee ? `${store.franchisee.code} ${store.franchisee.name}` : '—'}</dd>
            <dt>销售分公司</dt><dd>{store.branch ? `${store.branch.code} ${store.branch.name}` : '—'}</dd>
            <dt>地址</dt><dd>{store.address ?? '—'}</dd>
            <dt>电话</dt><dd>{store.phone ?? '—'}</dd>
            <dt>状态</dt><dd data-testid="store-status">{DIRECTORY_STATUS[store.status] ?? store.status}</dd>
            <dt>营业状态</dt><dd data-testid="store-business-status">{BUSINESS[store.businessStatus] ?? store.businessStatus}</dd>
            <dt>更新时间</dt><dd>{time(store.updatedAt)}</dd>
          </dl>
          <form className="filters" aria-label="营业状态" onSubmit={async (e) => {
            e.preventDefault();
            if (!business) return;
            const answer = await setBusinessStatus({ code: store.code, businessStatus: business });
            if (answer.data) refetch({ requestPolicy: 'network-only' });
          }}>
            <label>
              营业状态
              <select name="businessStatus" value={business || store.businessStatus} onChange={(e) => setBusiness(e.target.value as StoreBusinessStatus)}>
                {Object.entries(BUSINESS).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
              </select>
            </label>
            <button type="submit" disabled={statusSet.fetching}>设置营业状态</button>
            <button type="button" onClick={() => setEditing(!editing)}>编辑门店</button>
          </form>
          <ErrorNote error={statusSet.error} />
          {editing && (
            <StoreEditor
              initial={{
                isNew: false, code: store.code, name: store.name, franchiseeCode: store.franchisee?.code ?? '', branchCode: store.branch?.code ?? '',
                address: store.address ?? '', phone: store.phone ?? '', status: store.status, businessStatus: store.businessStatus,
              }}
              onSaved={() => { setEditing(false); setBusiness(''); refetch({ requestPolicy: 'network-only' }); }}
              onCancel={() => setEditing(false)}
            />
          )}
        </div>
      )}
      {store && <StoreTerminals storeCode={store.code} />}
      {store && <StoreStaff storeCode={store.code} />}
    </section>
  );
}

function StoreTerminals({ storeCode }: { storeCode: string }) {
  const [result, refetch] = useQuery({ query: TerminalsDocument, variables: { storeCode, first: 50 }, requestPolicy: 'network-only' });
  const [issued, issue] = useMutation(IssueTerminalBindingCodeDocument);
  const [binding, setBinding] = useState<{ code: string; expiresAt: string } | null>(null);
  return (
    <div className="card">
      <h2>终端设备</h2>
      <div className="filters">
        <button type="button" disabled={issued.fetching} onClick={async () => {
          const answer = await issue({ storeCode });
          if (answer.data) setBinding(answer.data.issueTerminalBindingCode);
        }}>生成绑定码</button>
        <button type="button" onClick={() => refetch({ requestPolicy: 'network-only' })}>刷新</button>
      </div>
      {binding && (
        <div className="notice" role="status">
          绑定码：<strong className="secret" data-testid="binding-code">{binding.code}</strong>（{time(binding.expiresAt)} 前在设备上输入，仅可使用一次，关闭后不再显示）
        </div>
      )}
      <ErrorNote error={result.error ?? issued.error} />
      <table className="table" aria-label="门店终端">
        <thead><tr><th>名称</th><th>设备号</th><th>绑定时间</th><th>最近登录</th><th>状态</th></tr></thead>
        <tbody>
          {result.data?.terminals.edges.map(({ node }) => (
            <tr key={node.id} data-testid={`terminal-${node.id}`}>
              <td><Link href={`/backoffice/terminals/${encodeURIComponent(node.id)}`}>{node.name}</Link></td><td>{node.deviceId ?? '—'}</td>
              <td>{time(node.boundAt)}</td><td>{time(node.lastSeenAt)}</td><td>{node.revokedAt ? `已注销（${time(node.revokedAt)}）` : '使用中'}</td>
            </tr>
          ))}
          {result.data && !result.data.terminals.edges.length && <tr><td colSpan={5} className="muted">还没有绑定终端</td></tr>}
        </tbody>
      </table>
    </div>
  );
}

function StoreStaff({ storeCode }: { storeCode: string }) {
  const [result] = useQuery({ query: StaffAccountsDocument, variables: { filter: { storeCode }, first: 50 }, requestPolicy: 'network-only' });
  return (
    <div className="card">
      <h2>门店员工</h2>
      <ErrorNote error={result.error} />
      <table className="table" aria-label="门店员工">
        <thead><tr><th>账号</th><th>姓名</th><th>角色</th><th>状态</th></tr></thead>
        <tbody>
          {result.data?.staffAccounts.edges.map(({ node }) => (
            <tr key={node.id}>
              <td>{node.username ?? '—'}</td><td>{node.realName}</td><td>{node.roles.join('，') || '—'}</td><td>{node.disabled ? '已停用' : '正常'}</td>
            </tr>
          ))}
          {result.data && !result.data.staffAccounts.edges.length && <tr><td colSpan={4} className="muted">没有分配到该门店的账号</td></tr>}
        </tbody>
      </table>
      {result.data?.staffAccounts.pageInfo.hasNextPage && <div className="muted">仅显示前 50 个</div>}
      <Link href={`/backoffice/accounts?store=${encodeURIComponent(storeCode)}`}>在门店账号中管理</Link>
    </div>
  );
}
