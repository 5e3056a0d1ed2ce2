/**
 * Staff accounts of the back office (seed 001): list by name, phone, store; create one with its stores and roles;
 * disable / enable (the seed's 删除账号 is a disable); reset a password. And the roles with their permissions.
 * The user subgraph decides what a non-super-admin may see and assign (docs/back-office.md).
 */
import { useState } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { useSearch } from 'wouter';
import { time } from '../../format';
import {
  BackOfficeRolesDocument,
  CreateStaffAccountDocument,
  CreateStaffRoleDocument,
  DeleteStaffRoleDocument,
  ResetStaffPasswordDocument,
  SetStaffAccountDisabledDocument,
  StaffAccountsDocument,
  UpdateStaffAccountDocument,
  UpdateStaffRoleDocument,
  type StaffAccountFilter,
} from '../../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../../ui';

/** The permissions in Chinese (the API describes them in English); an unknown one shows the API's words. */
const SCOPE_NAMES: Record<string, string> = {
  'catalog:write': '商品、SKU、价格、库存',
  'promote:write': '优惠券模板与兑换码',
  'order:write': '订单发货、售后',
  'payment:refund': '退款',
  'review:moderate': '评价审核',
  'member:write': '会员激活码',
  'subscription:erp': '订阅套餐（ERP）',
  'open:admin': '开放平台：应用、接口、授权',
  'clients:admin': '客户端发布：持久化查询清单',
  'store:admin': '门店后台：门店、加盟商、分公司、账号、角色、会员卡',
  'store:operate': '本人门店：会员识别、券核销、终端、统计',
  'staff:admin': '运营后台：各角色的菜单',
};

const split = (text: string) => text.split(/[\s,，]+/).filter(Boolean);

export function StaffAccountsPage() {
  const [realName, setRealName] = useState('');
  // From a store's page (?store=CODE) the list starts on that store's accounts.
  const fromStore = new URLSearchParams(useSearch()).get('store') ?? '';
  const [storeCode, setStoreCode] = useState(fromStore);
  const [filter, setFilter] = useState<StaffAccountFilter>(fromStore ? { storeCode: fromStore } : {});
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [result, refetch] = useQuery({ query: StaffAccountsDocument, variables: { filter, first: 20, after: cursors[cursors.length - 1] }, requestPolicy: 'cache-and-network' });
  const [toggled, setDisabled] = useMutation(SetStaffAccountDisabledDocument);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [editingProfile, setEditingProfile] = useState<string | null>(null);
  const connection = result.data?.staffAccounts;
  return (
    <section>
      <PageTitle>门店账号</PageTitle>
      <form className="filters" aria-label="账号搜索" onSubmit={(e) => {
        e.preventDefault();
        setCursors([null]);
        setFilter({ ...(realName.trim() ? { realName: realName.trim() } : {}), ...(storeCode.trim() ? { storeCode: storeCode.trim() } : {}) });
      }}>
        <label>姓名<input name="realName" value={realName} onChange={(e) => setRealName(e.target.value)} /></label>
        <label>门店编码<input name="storeCode" value={storeCode} onChange={(e) => setStoreCode(e.target.value)} /></label>
        <button type="submit">搜索</button>
        <button type="button" onClick={() => setCreating(!creating)}>新建账号</button>
      </form>
      {creating && <CreateAccountForm onCreated={() => { setCreating(false); refetch({ requestPolicy: 'network-only' }); }} />}
      <ErrorNote error={result.error ?? toggled.error} />
      <Loading when={result.fetching && !connection} />
      <table className="table" aria-label="账号列表">
        <thead><tr><th>账号</th><th>姓名</th><th>手机</th><th>角色</th><th>门店</th><th>状态</th><th>创建时间</th><th>操作</th></tr></thead>
        <tbody>
          {connection?.edges.map(({ node }) => (
            <tr key={node.id} data-testid={`account-${node.username ?? node.id}`}>
              <td>{node.username ?? '—'}</td><td>{node.realName}</td><td>{node.phone ?? '—'}</td><td>{node.roles.join('，') || '—'}</td>
              <td>{node.allStores ? '全部门店（超级管理员）' : node.stores.map((s) => s.code).join('，') || '—'}</td>
              <td>{node.disabled ? '已停用' : '正常'}</td><td>{time(node.createdAt)}</td>
              <td className="actions">
                <button type="button" className="link" onClick={() => setDisabled({ id: node.id, disabled: !node.disabled })}>{node.disabled ? '启用' : '停用'}</button>
                <button type="button" className="link" onClick={() => setEditingProfile(editingProfile === node.id ? null : node.id)}>姓名与手机</button>
                <button type="button" className="link" onClick={() => setResetting(resetting === node.id ? null : node.id)}>重置密码</button>
                {!node.allStores && <button type="button" className="link" onClick={() => setEditing(editing === node.id ? null : node.id)}>门店与角色</button>}
                {editingProfile === node.id && <EditProfile id={node.id} realName={node.realName} phone={node.phone ?? ''} onDone={() => { setEditingProfile(null); refetch({ requestPolicy: 'network-only' }); }} />}
                {resetting === node.id && <ResetPassword id={node.id} onDone={() => setResetting(null)} />}
                {editing === node.id && <EditAccess id={node.id} stores={node.stores.map((s) => s.code)} roles={node.roles} onDone={() => setEditing(null)} />}
              </td>
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

function CreateAccountForm({ onCreated }: { onCreated: () => void }) {
  const [roles] = useQuery({ query: BackOfficeRolesDocument });
  const [created, create] = useMutation(CreateStaffAccountDocument);
  const [form, setForm] = useState({ username: '', password: '', realName: '', phone: '', stores: '', allStores: false });
  const [chosen, setChosen] = useState<Set<string>>(new Set(['store']));
  const field = (name: keyof typeof form) => ({ name, value: String(form[name]), onChange: (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [name]: e.target.value }) });
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const answer = await create({
      input: {
        username: form.username.trim(), password: form.password, realName: form.realName.trim(), phone: form.phone.trim() || undefined,
        roles: [...chosen], storeCodes: split(form.stores), allStores: form.allStores,
      },
    });
    if (answer.data) onCreated();
  }
  return (
    <form className="card" aria-label="新建账号" onSubmit={submit}>
      <h2>新建账号</h2>
      <div className="filters">
        <label>账号<input {...field('username')} required /></label>
        <label>初始密码<input {...field('password')} type="password" autoComplete="new-password" required /></label>
        <label>姓名<input {...field('realName')} required /></label>
        <label>手机<input {...field('phone')} /></label>
        <label>门店编码（逗号分隔）<input {...field('stores')} /></label>
        <label className="check"><input type="checkbox" checked={form.allStores} onChange={(e) => setForm({ ...form, allStores: e.target.checked })} />超级管理员（全部门店）</label>
      </div>
      <div className="checks" aria-label="角色">
        {roles.data?.staffRoles.map((role) => (
          <label key={role.name} className="check">
            <input type="checkbox" checked={chosen.has(role.name)} onChange={(e) => {
              const next = new Set(chosen);
              if (e.target.checked) next.add(role.name); else next.delete(role.name);
              setChosen(next);
            }} />
            {role.name}
          </label>
        ))}
      </div>
      <ErrorNote error={roles.error ?? created.error} />
      <button type="submit" disabled={created.fetching}>创建</button>
    </form>
  );
}

/** The stores an account acts for and its roles, replaced whole (the API checks what the editor may assign). */
function EditAccess({ id, stores, roles, onDone }: { id: string; stores: string[]; roles: string[]; onDone: () => void }) {
  const [allRoles] = useQuery({ query: BackOfficeRolesDocument });
  const [result, update] = useMutation(UpdateStaffAccountDocument);
  const [codes, setCodes] = useState(stores.join(', '));
  const [chosen, setChosen] = useState<Set<string>>(new Set(roles));
  return (
    <form className="inline" aria-label="门店与角色" onSubmit={async (e) => { e.preventDefault(); if (!(await update({ id, input: { storeCodes: split(codes), roles: [...chosen] } })).error) onDone(); }}>
      <label>门店编码<input name="storeCodes" value={codes} onChange={(e) => setCodes(e.target.value)} /></label>
      {allRoles.data?.staffRoles.map((role) => (
        <label key={role.name} className="check">
          <input type="checkbox" checked={chosen.has(role.name)} onChange={(e) => {
            const next = new Set(chosen);
            if (e.target.checked) next.add(role.name); else next.delete(role.name);
            setChosen(next);
          }} />
          {role.name}
        </label>
      ))}
      <button type="submit" disabled={result.fetching}>保存</button>
      <ErrorNote error={allRoles.error ?? result.error} />
    </form>
  );
}

/** The API's refusals of a name or phone, in Chinese (the field it names); anything else in the API's words. */
function profileRefusal(error: CombinedError | undefined): string | null {
  const first = error?.graphQLErrors[0];
  if (first?.extensions?.code !== 'BAD_USER_INPUT') return null;
  if (first.extensions.field === 'realName') return '姓名不能为空，最多 32 个字';
  if (first.extensions.field === 'phone') return '手机号须为 11 位大陆手机号';
  return null;
}

/** An account's real name and contact phone (an empty phone clears it); its stores and roles are not sent, so they stay. */
function EditProfile({ id, realName, phone, onDone }: { id: string; realName: string; phone: string; onDone: () => void }) {
  const [result, update] = useMutation(UpdateStaffAccountDocument);
  const [form, setForm] = useState({ realName, phone });
  const refusal = profileRefusal(result.error);
  return (
    <form className="inline" aria-label="姓名与手机" onSubmit={async (e) => {
      e.preventDefault();
      if (!(await update({ id, input: { realName: form.realName.trim(), phone: form.phone.trim() || null } })).error) onDone();
    }}>
      <label>姓名<input name="profileRealName" value={form.realName} onChange={(e) => setForm({ ...form, realName: e.target.value })} required maxLength={32} /></label>
      <label>手机<input name="profilePhone" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} placeholder="不填：清除" /></label>
      <button type="submit" disabled={result.fetching}>保存</button>
      {refusal ? <div className="error" role="alert">{refusal}</div> : <ErrorNote error={result.error} />}
    </form>
  );
}

function ResetPassword({ id, onDone }: { id: string; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [result, reset] = useMutation(ResetStaffPasswordDocument);
  return (
    <form className="inline" aria-label="重置密码" onSubmit={async (e) => { e.preventDefault(); if (!(await reset({ id, password })).error) onDone(); }}>
      <input name="newPassword" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} placeholder="新密码" required />
      <button type="submit" disabled={result.fetching}>确定</button>
      <ErrorNote error={result.error} />
    </form>
  );
}

/**
 * Roles and the permissions they are made of. Custom roles are made, edited and deleted here (ticks from
 * staffPermissions: a role cannot invent a permission); built-in roles are read-only (the API refuses them too).
 * Defining roles is staff:admin's (a role reaches the whole shop): a store:admin sees the list, to know what it
 * assigns, without the editing controls the API would refuse it anyway. Which menus a role sees is 员工与角色's.
 */
export function BackOfficeRolesPage({ scopes }: { scopes?: string[] }) {
  const canDefine = scopes?.includes('staff:admin') ?? false;
  const [result, refetch] = useQuery({ query: BackOfficeRolesDocument, requestPolicy: 'network-only' });
  const [deleted, remove] = useMutation(DeleteStaffRoleDocument);
  const [editing, setEditing] = useState<{ name: string; scopes: string[]; isNew: boolean } | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const described = new Map(result.data?.staffPermissions.map((p) => [p.scope, p.description]) ?? []);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <section>
      <PageTitle>门店角色</PageTitle>
      {canDefine ? (
        <div className="filters">
          <button type="button" onClick={() => setEditing(editing?.isNew ? null : { name: '', scopes: [], isNew: true })}>新建角色</button>
        </div>
      ) : (
        <p className="muted">角色由系统管理员（staff:admin）定义；这里列出可分配给账号的角色。</p>
      )}
      {editing && result.data && (
        <RoleEditor key={editing.name || 'new'} initial={editing} permissions={result.data.staffPermissions} onSaved={() => { setEditing(null); reload(); }} onCancel={() => setEditing(null)} />
      )}
      <ErrorNote error={result.error ?? deleted.error} />
      <Loading when={result.fetching && !result.data} />
      <table className="table" aria-label="角色与权限">
        <thead><tr><th>角色</th><th>类型</th><th>权限</th><th>操作</th></tr></thead>
        <tbody>
          {result.data?.staffRoles.map((role) => (
            <tr key={role.id} data-testid={`role-${role.name}`}>
              <td>{role.name}</td><td>{role.builtIn ? '内置' : '自定义'}</td>
              <td>{role.scopes.map((scope) => `${scope}${SCOPE_NAMES[scope] ?? described.get(scope) ? `（${SCOPE_NAMES[scope] ?? described.get(scope)}）` : ''}`).join('，') || '—'}</td>
              <td>
                {role.builtIn || !canDefine ? <span className="muted">只读</span> : (
                  <div className="actions">
                    <button type="button" className="link" onClick={() => setEditing({ name: role.name, scopes: role.scopes, isNew: false })}>编辑权限</button>
                    {deleting === role.name ? (
                      <>
                        <span>删除后，持有该角色的账号将失去这些权限。</span>
                        <button type="button" className="link" disabled={deleted.fetching} onClick={async () => {
                          const answer = await remove({ name: role.name });
                          setDeleting(null);
                          if (!answer.error) { if (editing?.name === role.name) setEditing(null); reload(); }
                        }}>确定删除</button>
                        <button type="button" className="link" onClick={() => setDeleting(null)}>取消</button>
                      </>
                    ) : <button type="button" className="link" onClick={() => setDeleting(role.name)}>删除</button>}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RoleEditor({ initial, permissions, onSaved, onCancel }: {
  initial: { name: string; scopes: string[]; isNew: boolean };
  permissions: { scope: string; description: string }[];
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial.name);
  const [chosen, setChosen] = useState<Set<string>>(new Set(initial.scopes));
  const [created, create] = useMutation(CreateStaffRoleDocument);
  const [updated, update] = useMutation(UpdateStaffRoleDocument);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const scopes = permissions.map((p) => p.scope).filter((scope) => chosen.has(scope));
    const answer = initial.isNew ? await create({ name: name.trim(), scopes }) : await update({ name: initial.name, scopes });
    if (!answer.error) onSaved();
  }
  const title = initial.isNew ? '新建角色' : `编辑角色 ${initial.name} 的权限`;
  return (
    <form className="card" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <div className="filters">
        <label>角色名<input name="roleName" value={name} onChange={(e) => setName(e.target.value)} readOnly={!initial.isNew} required /></label>
      </div>
      <div className="checks" aria-label="权限">
        {permissions.map((permission) => (
          <label key={permission.scope} className="check">
            <input type="checkbox" checked={chosen.has(permission.scope)} onChange={(e) => {
              const next = new Set(chosen);
              if (e.target.checked) next.add(permission.scope); else next.delete(permission.scope);
              setChosen(next);
            }} />
            {permission.scope}（{SCOPE_NAMES[permission.scope] ?? permission.description}）
          </label>
        ))}
      </div>
      <ErrorNote error={created.error ?? updated.error} />
      <button type="submit" disabled={created.fetching || updated.fetching}>保存</button>
      <button type="button" className="link" onClick={onCancel}>取消</button>
    </form>
  );
}
