/** Staff accounts and roles: each role's scopes, members and console menus; an admin ticks the menus a role sees. */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { SetRoleMenusDocument, StaffRolesDocument } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

export function RolesPage() {
  const [result] = useQuery({ query: StaffRolesDocument, requestPolicy: 'network-only' });
  const [saving, save] = useMutation(SetRoleMenusDocument);
  const [editing, setEditing] = useState<{ role: string; keys: Set<string> } | null>(null);
  const menus = result.data?.consoleMenus ?? [];
  const pages = menus.filter((menu) => menu.path);
  const nameOf = (key: string) => menus.find((menu) => menu.key === key)?.name ?? key;
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!editing) return;
    const answer = await save({ role: editing.role, menuKeys: [...editing.keys] });
    if (!answer.error) setEditing(null);
  }
  return (
    <section>
      <PageTitle>员工与角色</PageTitle>
      <ErrorNote error={result.error ?? saving.error} />
      <Loading when={result.fetching && !result.data} />
      <table className="table" aria-label="角色">
        <thead><tr><th>角色</th><th>权限</th><th>员工账号</th><th>菜单</th><th></th></tr></thead>
        <tbody>
          {result.data?.staffRoles.map((role) => (
            <tr key={role.id}>
              <td>{role.name}</td>
              <td>{role.scopes.join('，') || '—'}</td>
              <td>{role.members.join('，') || '—'}</td>
              <td data-testid={`role-menus-${role.name}`}>{role.menus.filter((m) => pages.some((p) => p.key === m.key)).map((m) => nameOf(m.key)).join('，') || '—'}</td>
              <td><button type="button" className="link" onClick={() => setEditing({ role: role.name, keys: new Set(role.menus.map((m) => m.key).filter((k) => pages.some((p) => p.key === k))) })}>编辑菜单</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && (
        <form className="card" onSubmit={submit} aria-label={`编辑角色 ${editing.role} 的菜单`}>
          <h2>角色 {editing.role} 的菜单</h2>
          <div className="checks">
            {pages.map((menu) => (
              <label key={menu.key} className="check">
                <input
                  type="checkbox"
                  checked={editing.keys.has(menu.key)}
                  onChange={(e) => {
                    const keys = new Set(editing.keys);
                    if (e.target.checked) keys.add(menu.key);
                    else keys.delete(menu.key);
                    setEditing({ ...editing, keys });
                  }}
                />
                {nameOf(menu.parentKey ?? '')} / {menu.name}
              </label>
            ))}
          </div>
          <button type="submit" disabled={saving.fetching}>保存</button>
          <button type="button" className="link" onClick={() => setEditing(null)}>取消</button>
        </form>
      )}
    </section>
  );
}
