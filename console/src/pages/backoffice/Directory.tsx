/**
 * The directory's franchisees (加盟商) and sales branches (销售分公司), seed 001: search by a batch of codes (up to 500)
 * or a keyword, keyset pages back and forth like the stores page; add or change an entry by its business code
 * (upsertFranchisee / upsertSalesBranch: a super-admin's, the API refuses anyone else).
 */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { time } from '../../format';
import {
  FranchiseesDocument,
  SalesBranchesDocument,
  UpsertFranchiseeDocument,
  UpsertSalesBranchDocument,
  type DirectoryFilter,
  type DirectoryStatus,
} from '../../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../../ui';

export const DIRECTORY_STATUS: Record<string, string> = { ACTIVE: '启用', DISABLED: '停用' };

/** Codes typed in a batch: spaces, commas (also the Chinese one) or lines between them. */
export const splitCodes = (text: string) => text.split(/[\s,，]+/).filter(Boolean);

/** The search form and the cursors of the pages before this one ("上一页" goes back without OFFSET). */
function useDirectorySearch() {
  const [codes, setCodes] = useState('');
  const [keyword, setKeyword] = useState('');
  const [filter, setFilter] = useState<DirectoryFilter>({});
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  function search(event: React.FormEvent) {
    event.preventDefault();
    const list = splitCodes(codes);
    setCursors([null]);
    setFilter({ ...(list.length ? { codes: list } : {}), ...(keyword.trim() ? { keyword: keyword.trim() } : {}) });
  }
  const form = (label: string) => (
    <form className="filters" aria-label={`${label}搜索`} onSubmit={search}>
      <label>{label}编码（可批量，空格、逗号或换行分隔）<textarea name="codes" rows={2} value={codes} onChange={(e) => setCodes(e.target.value)} /></label>
      <label>关键词<input name="keyword" value={keyword} onChange={(e) => setKeyword(e.target.value)} /></label>
      <button type="submit">搜索</button>
    </form>
  );
  return { filter, after: cursors[cursors.length - 1], cursors, setCursors, form };
}

function Pager({ connection, cursors, setCursors }: {
  connection?: { pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  cursors: (string | null)[];
  setCursors: (next: (string | null)[]) => void;
}) {
  if (!connection) return null;
  return (
    <div className="pager">
      {cursors.length > 1 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>上一页</button>}
      {connection.pageInfo.hasNextPage && <button type="button" onClick={() => setCursors([...cursors, connection.pageInfo.endCursor ?? null])}>下一页</button>}
    </div>
  );
}

function StatusSelect({ value, onChange }: { value: DirectoryStatus; onChange: (status: DirectoryStatus) => void }) {
  return (
    <label>
      状态
      <select name="status" value={value} onChange={(e) => onChange(e.target.value as DirectoryStatus)}>
        <option value="ACTIVE">启用</option>
        <option value="DISABLED">停用</option>
      </select>
    </label>
  );
}

export function FranchiseesPage() {
  const search = useDirectorySearch();
  const [result, refetch] = useQuery({ query: FranchiseesDocument, variables: { filter: search.filter, first: 20, after: search.after }, requestPolicy: 'cache-and-network' });
  const [editing, setEditing] = useState<FranchiseeForm | null>(null);
  const connection = result.data?.franchisees;
  return (
    <section>
      <PageTitle>加盟商</PageTitle>
      {search.form('加盟商')}
      <div className="filters">
        <button type="button" onClick={() => setEditing(editing?.isNew ? null : { isNew: true, code: '', name: '', contactName: '', contactPhone: '', status: 'ACTIVE' })}>新建加盟商</button>
      </div>
      {editing && <FranchiseeEditor key={editing.code || 'new'} initial={editing} onSaved={() => { setEditing(null); refetch({ requestPolicy: 'network-only' }); }} onCancel={() => setEditing(null)} />}
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !connection} />
      <table className="table" aria-label="加盟商列表">
        <thead><tr><th>编码</th><th>名称</th><th>联系人</th><th>联系电话</th><th>状态</th><th>更新时间</th><th>操作</th></tr></thead>
        <tbody>
          {connection?.edges.map(({ node }) => (
            <tr key={node.id} data-testid={`franchisee-${node.code}`}>
              <td>{node.code}</td><td>{node.name}</td><td>{node.contactName ?? '—'}</td><td>{node.contactPhone ?? '—'}</td>
              <td>{DIRECTORY_STATUS[node.status] ?? node.status}</td><td>{time(node.updatedAt)}</td>
              <td><button type="button" className="link" onClick={() => setEditing({ isNew: false, code: node.code, name: node.name, contactName: node.contactName ?? '', contactPhone: node.contactPhone ?? '', status: node.status })}>编辑</button></td>
            </tr>
          ))}
          {connection && !connection.edges.length && <tr><td colSpan={7} className="muted">没有符合条件的加盟商</td></tr>}
        </tbody>
      </table>
      <Pager connection={connection} cursors={search.cursors} setCursors={search.setCursors} />
    </section>
  );
}

interface FranchiseeForm { isNew: boolean; code: string; name: string; contactName: string; contactPhone: string; status: DirectoryStatus }

function FranchiseeEditor({ initial, onSaved, onCancel }: { initial: FranchiseeForm; onSaved: () => void; onCancel: () => void }) {
  const [form, setForm] = useState(initial);
  const [saved, save] = useMutation(UpsertFranchiseeDocument);
  const field = (name: 'code' | 'name' | 'contactName' | 'contactPhone') => ({ name, value: form[name], onChange: (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [name]: e.target.value }) });
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const answer = await save({
      input: { code: form.code.trim(), name: form.name.trim(), contactName: form.contactName.trim() || null, contactPhone: form.contactPhone.trim() || null, status: form.status },
    });
    if (answer.data) onSaved();
  }
  const title = initial.isNew ? '新建加盟商' : `编辑加盟商 ${initial.code}`;
  return (
    <form className="card" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <div className="filters">
        {/* The code names the entry between systems: it is fixed once made. */}
        <label>编码<input {...field('code')} readOnly={!initial.isNew} required /></label>
        <label>名称<input {...field('name')} required /></label>
        <label>联系人<input {...field('contactName')} /></label>
        <label>联系电话<input {...field('contactPhone')} /></label>
        <StatusSelect value={form.status} onChange={(status) => setForm({ ...form, status })} />
      </div>
      <ErrorNote error={saved.error} />
      <button type="submit" disabled={saved.fetching}>保存</button>
      <button type="button" className="link" onClick={onCancel}>取消</button>
    </form>
  );
}

export function SalesBranchesPage() {
  const search = useDirectorySearch();
  const [result, refetch] = useQuery({ query: SalesBranchesDocument, variables: { filter: search.filter, first: 20, after: search.after }, requestPolicy: 'cache-and-network' });
  const [editing, setEditing] = useState<BranchForm | null>(null);
  const connection = result.data?.salesBranches;
  return (
    <section>
      <PageTitle>销售分公司</PageTitle>
      {search.form('分公司')}
      <div className="filters">
        <button type="button" onClick={() => setEditing(editing?.isNew ? null : { isNew: true, code: '', name: '', status: 'ACTIVE' })}>新建分公司</button>
      </div>
      {editing && <BranchEditor key={editing.code || 'new'} initial={editing} onSaved={() => { setEditing(null); refetch({ requestPolicy: 'network-only' }); }} onCancel={() => setEditing(null)} />}
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !connection} />
      <table className="table" aria-label="分公司列表">
        <thead><tr><th>编码</th><th>名称</th><th>状态</th><th>更新时间</th><th>操作</th></tr></thead>
        <tbody>
          {connection?.edges.map(({ node }) => (
            <tr key={node.id} data-testid={`branch-${node.code}`}>
              <td>{node.code}</td><td>{node.name}</td><td>{DIRECTORY_STATUS[node.status] ?? node.status}</td><td>{time(node.updatedAt)}</td>
              <td><button type="button" className="link" onClick={() => setEditing({ isNew: false, code: node.code, name: node.name, status: node.status })}>编辑</button></td>
            </tr>
          ))}
          {connection && !connection.edges.length && <tr><td colSpan={5} className="muted">没有符合条件的分公司</td></tr>}
        </tbody>
      </table>
      <Pager connection={connection} cursors={search.cursors} setCursors={search.setCursors} />
    </section>
  );
}

interface BranchForm { isNew: boolean; code: string; name: string; status: DirectoryStatus }

function BranchEditor({ initial, onSaved, onCancel }: { initial: BranchForm; onSaved: () => void; onCancel: () => void }) {
  const [form, setForm] = useState(initial);
  const [saved, save] = useMutation(UpsertSalesBranchDocument);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const answer = await save({ input: { code: form.code.trim(), name: form.name.trim(), status: form.status } });
    if (answer.data) onSaved();
  }
  const title = initial.isNew ? '新建分公司' : `编辑分公司 ${initial.code}`;
  return (
    <form className="card" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <div className="filters">
        <label>编码<input name="code" value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} readOnly={!initial.isNew} required /></label>
        <label>名称<input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required /></label>
        <StatusSelect value={form.status} onChange={(status) => setForm({ ...form, status })} />
      </div>
      <ErrorNote error={saved.error} />
      <button type="submit" disabled={saved.fetching}>保存</button>
      <button type="button" className="link" onClick={onCancel}>取消</button>
    </form>
  );
}
