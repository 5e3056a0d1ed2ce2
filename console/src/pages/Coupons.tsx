/**
 * Coupons: templates with their issue counts and scope (create one, edit one, enable / disable it, generate redeem
 * codes — shown once, to copy or download), and the redeem codes (searchable by code; edit a code's expiry or disable
 * it, delete it).
 */
import { useState } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { fromLocalInput, localInput, time, yuan } from '../format';
import {
  CouponCategoriesDocument,
  CouponCodesDocument,
  CouponTemplatesDocument,
  CreateCouponCodesDocument,
  CreateCouponTemplateDocument,
  DeleteCouponCodeDocument,
  SetCouponTemplateActiveDocument,
  UpdateCouponCodeDocument,
  UpdateCouponTemplateDocument,
  type CouponCategoriesQuery,
  type CouponCodesQuery,
  type CouponScope,
  type CouponTemplateInput,
  type CouponTemplatesQuery,
  type UpdateCouponCodeInput,
  type UpdateCouponTemplateInput,
} from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

export function CouponsPage() {
  const [templates, refetchTemplates] = useQuery({ query: CouponTemplatesDocument, variables: { first: 50 } });
  const [activeResult, setActive] = useMutation(SetCouponTemplateActiveDocument);
  const [generated, setGenerated] = useState<{ templateName: string; codes: string[] } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [codeFilter, setCodeFilter] = useState<{ code?: string }>({});
  const [codes, refetchCodes] = useQuery({ query: CouponCodesDocument, variables: { filter: codeFilter, first: 50 } });
  const [editingCode, setEditingCode] = useState<string | null>(null);
  // Categories for the scope pickers and for naming a template's categories in the list.
  const [categoriesResult] = useQuery({ query: CouponCategoriesDocument });
  const categories = flattenCategories(categoriesResult.data?.categories ?? []);
  return (
    <section>
      <PageTitle>优惠券</PageTitle>
      <NewTemplateForm categories={categories} onCreated={() => refetchTemplates({ requestPolicy: 'network-only' })} />
      {generated && <CodesOnce {...generated} onClose={() => setGenerated(null)} />}
      <h2>券模板</h2>
      <ErrorNote error={templates.error ?? activeResult.error} />
      <Loading when={templates.fetching && !templates.data} />
      <table className="table" aria-label="券模板">
        <thead><tr><th>名称</th><th>类型</th><th>面额</th><th>门槛</th><th>已发放</th><th>总量</th><th>剩余</th><th>每人限领</th><th>适用范围</th><th>有效期</th><th>状态</th><th>操作</th><th>生成兑换码</th></tr></thead>
        <tbody>
          {templates.data?.couponTemplates.edges.map(({ node }) => (
            <tr key={node.id}>
              <td>{node.name}</td><td>{node.type}</td><td>{node.type === 'FREE_SHIPPING' ? '免运费' : yuan(node.amount)}</td>
              <td>{yuan(node.minSpend)}</td><td>{node.issuedCount}</td><td>{node.totalQuantity ?? '不限'}</td><td>{node.remainingQuantity ?? '不限'}</td>
              <td>{node.perUserLimit >= 2147483647 ? '不限' : node.perUserLimit}</td><td data-testid={`template-scope-${node.id}`}>{scopeText(node, categories)}</td>
              <td>{node.validDays ? `领取后 ${node.validDays} 天` : `${time(node.validFrom)} ~ ${time(node.validUntil)}`}</td>
              <td data-testid={`template-state-${node.id}`}>{node.active ? '启用' : '停用'}</td>
              <td>
                <button type="button" className="link" onClick={() => setActive({ id: node.id, active: !node.active })}>{node.active ? '停用' : '启用'}</button>
                <button type="button" className="link" onClick={() => setEditing(editing === node.id ? null : node.id)}>编辑</button>
              </td>
              <td>
                <CodesForm templateId={node.id} name={node.name} onCodes={(codes) => { setGenerated({ templateName: node.name, codes }); refetchTemplates({ requestPolicy: 'network-only' }); }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(() => {
        const template = templates.data?.couponTemplates.edges.find(({ node }) => node.id === editing)?.node;
        return template ? (
          <EditTemplateForm key={template.id} template={template} categories={categories} onSaved={() => { setEditing(null); refetchTemplates({ requestPolicy: 'network-only' }); }} onCancel={() => setEditing(null)} />
        ) : null;
      })()}
      <h2>兑换码</h2>
      <form className="filters" aria-label="兑换码搜索" onSubmit={(e) => { e.preventDefault(); setCodeFilter(code.trim() ? { code: code.trim() } : {}); }}>
        <label>兑换码<input name="code" value={code} onChange={(e) => setCode(e.target.value)} /></label>
        <button type="submit">搜索</button>
      </form>
      <ErrorNote error={codes.error} />
      <table className="table" aria-label="兑换码">
        <thead><tr><th>兑换码</th><th>券模板</th><th>状态</th><th>有效期至</th><th>创建时间</th><th>兑换时间</th><th>兑换人</th><th>操作</th></tr></thead>
        <tbody>
          {codes.data?.couponCodes.edges.map(({ node }) => (
            <tr key={node.id} data-testid={`code-${node.code}`}>
              <td>{node.code}</td><td>{node.template.name}</td><td>{CODE_STATUS[node.status] ?? node.status}</td>
              <td>{node.expiresAt ? time(node.expiresAt) : '随模板'}</td><td>{time(node.createdAt)}</td><td>{time(node.redeemedAt)}</td><td>{node.redeemedBy ?? '—'}</td>
              <td>
                <button type="button" className="link" onClick={() => setEditingCode(editingCode === node.id ? null : node.id)}>编辑</button>
                <DeleteCodeButton code={node} onDeleted={() => refetchCodes({ requestPolicy: 'network-only' })} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(() => {
        const code = codes.data?.couponCodes.edges.find(({ node }) => node.id === editingCode)?.node;
        return code ? (
          <EditCodeForm key={code.id} code={code} onSaved={() => { setEditingCode(null); refetchCodes({ requestPolicy: 'network-only' }); }} onCancel={() => setEditingCode(null)} />
        ) : null;
      })()}
    </section>
  );
}

const yuanToFen = (value: string) => (/^\d+(\.\d{1,2})?$/.test(value.trim()) ? Math.round(Number(value) * 100) : undefined);

type Template = CouponTemplatesQuery['couponTemplates']['edges'][number]['node'];
type Category = { id: string; name: string; depth: number };
type Code = CouponCodesQuery['couponCodes']['edges'][number]['node'];

/** The two-level category tree as one list (children after their parent), for checkboxes and names. */
function flattenCategories(tree: CouponCategoriesQuery['categories']): Category[] {
  return tree.flatMap((top) => [{ id: top.id, name: top.name, depth: 0 }, ...top.children.map((child) => ({ id: child.id, name: child.name, depth: 1 }))]);
}

/** A template's scope in words: every item, its categories by name (an unknown id as itself), or its product ids. */
function scopeText(template: Pick<Template, 'scope' | 'categoryIds' | 'productIds'>, categories: Category[]): string {
  if (template.scope === 'CATEGORIES') return `分类：${template.categoryIds.map((id) => categories.find((c) => c.id === id)?.name ?? `#${id}`).join('、')}`;
  if (template.scope === 'PRODUCTS') return `商品 ID：${template.productIds.join('、')}`;
  return '全部商品';
}

const CODE_STATUS: Record<string, string> = { ACTIVE: '可兑换', REDEEMED: '已兑换', DISABLED: '已停用', EXPIRED: '已过期', DELETED: '已删除' };

/** What the forms share about a scope: CATEGORIES picks from `categories`, PRODUCTS takes ids typed with any separator. */
interface ScopeForm {
  scope: string;
  categoryIds: string[];
  productIds: string;
}

/** The scope as the API takes it (ids only for their own scope: the API refuses others), or a message when incomplete. */
function scopeInput(form: ScopeForm): { scope: CouponScope; categoryIds: string[]; productIds: string[] } | string {
  const productIds = [...new Set(form.productIds.split(/[\s,，、]+/).filter(Boolean))];
  if (form.scope === 'CATEGORIES') return form.categoryIds.length ? { scope: 'CATEGORIES', categoryIds: form.categoryIds, productIds: [] } : '请至少选择一个分类';
  if (form.scope === 'PRODUCTS') {
    if (!productIds.length) return '请至少填写一个商品 ID';
    if (!productIds.every((id) => /^\d+$/.test(id))) return '商品 ID 须为数字，多个用逗号分隔';
    return { scope: 'PRODUCTS', categoryIds: [], productIds };
  }
  return { scope: 'ALL', categoryIds: [], productIds: [] };
}

function ScopeFields({ form, categories, onChange }: { form: ScopeForm; categories: Category[]; onChange: (next: ScopeForm) => void }) {
  return (
    <>
      <label>适用范围
        <select name="scope" value={form.scope} onChange={(e) => onChange({ ...form, scope: e.target.value })}>
          <option value="ALL">全部商品</option>
          <option value="CATEGORIES">指定分类</option>
          <option value="PRODUCTS">指定商品</option>
        </select>
      </label>
      {form.scope === 'CATEGORIES' && (
        <fieldset className="inline" aria-label="适用分类">
          {categories.map((category) => (
            <label key={category.id} className="check" style={{ marginLeft: category.depth * 16 }}>
              <input
                type="checkbox"
                checked={form.categoryIds.includes(category.id)}
                onChange={(e) => onChange({ ...form, categoryIds: e.target.checked ? [...form.categoryIds, category.id] : form.categoryIds.filter((id) => id !== category.id) })}
              />
              {category.name}
            </label>
          ))}
        </fieldset>
      )}
      {form.scope === 'PRODUCTS' && (
        <label>商品 ID<input name="productIds" value={form.productIds} onChange={(e) => onChange({ ...form, productIds: e.target.value })} placeholder="多个用逗号分隔" /></label>
      )}
    </>
  );
}

/** What the create and edit forms hold (text as typed; amounts in yuan). */
type TemplateFormState = {
  name: string; description: string; type: string; amount: string; minSpend: string; totalQuantity: string; perUserLimit: string;
  validity: string; validDays: string; validFrom: string; validUntil: string; claimable: boolean;
  scope: string; categoryIds: string[]; productIds: string;
};

/** The fields of a template, shared by the create and edit forms (an edit shows the minimum spend it has). */
function TemplateFields({ form, setForm, categories, minSpendRequired = false }: {
  form: TemplateFormState;
  setForm: (form: TemplateFormState) => void;
  categories: Category[];
  minSpendRequired?: boolean;
}) {
  const text = (name: 'name' | 'description' | 'amount' | 'minSpend' | 'totalQuantity' | 'perUserLimit' | 'validDays' | 'validFrom' | 'validUntil') => ({
    name, value: form[name], onChange: (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [name]: e.target.value }),
  });
  return (
    <>
      <label>名称<input {...text('name')} required maxLength={64} /></label>
      <label>说明<input {...text('description')} maxLength={200} placeholder="可不填" /></label>
      <label>类型
        <select name="type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
          <option value="CASH">满减券</option>
          <option value="FREE_SHIPPING">免运费券</option>
        </select>
      </label>
      {form.type === 'CASH' && <label>面额（元）<input {...text('amount')} required size={8} /></label>}
      <label>使用门槛（元）{minSpendRequired ? <input {...text('minSpend')} required size={8} /> : <input {...text('minSpend')} placeholder="不填：同面额" size={8} />}</label>
      <label>发放总量<input {...text('totalQuantity')} placeholder="不限" size={8} /></label>
      <label>每人限领<input {...text('perUserLimit')} required size={4} /></label>
      <ScopeFields form={form} categories={categories} onChange={(scope) => setForm({ ...form, ...scope })} />
      <label>有效期
        <select name="validity" value={form.validity} onChange={(e) => setForm({ ...form, validity: e.target.value })}>
          <option value="days">领取后天数</option>
          <option value="window">固定时间段</option>
        </select>
      </label>
      {form.validity === 'days' ? (
        <label>领取后有效天数<input {...text('validDays')} required size={5} /></label>
      ) : (
        <>
          <label>开始<input {...text('validFrom')} type="datetime-local" step="1" required /></label>
          <label>结束<input {...text('validUntil')} type="datetime-local" step="1" required /></label>
        </>
      )}
      <label className="check"><input type="checkbox" name="claimable" checked={form.claimable} onChange={(e) => setForm({ ...form, claimable: e.target.checked })} />用户可直接领取</label>
    </>
  );
}

/** A new template: amounts typed in yuan, sent in fen; the API checks the rest (its refusals said in Chinese). */
function NewTemplateForm({ categories, onCreated }: { categories: Category[]; onCreated: () => void }) {
  const empty = {
    name: '', description: '', type: 'CASH', amount: '', minSpend: '', totalQuantity: '', perUserLimit: '1',
    validity: 'days', validDays: '30', validFrom: '', validUntil: '', claimable: true,
    scope: 'ALL', categoryIds: [] as string[], productIds: '',
  };
  const [form, setForm] = useState(empty);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [result, create] = useMutation(CreateCouponTemplateDocument);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const cash = form.type === 'CASH';
    const amount = cash ? yuanToFen(form.amount) : 0;
    const minSpend = form.minSpend.trim() ? yuanToFen(form.minSpend) : undefined;
    if (amount === undefined || (form.minSpend.trim() && minSpend === undefined)) return setInvalid('金额请填写如 12.50 的数字');
    if (form.totalQuantity.trim() && !/^\d+$/.test(form.totalQuantity.trim())) return setInvalid('发放总量请填写整数，不限则留空');
    if (!/^\d+$/.test(form.perUserLimit.trim())) return setInvalid('每人限领请填写整数');
    const scope = scopeInput(form);
    if (typeof scope === 'string') return setInvalid(scope);
    const input: CouponTemplateInput = {
      name: form.name.trim(),
      description: form.description.trim() || null,
      type: cash ? 'CASH' : 'FREE_SHIPPING',
      amount,
      minSpend,
      totalQuantity: form.totalQuantity.trim() ? Number(form.totalQuantity) : null,
      perUserLimit: Number(form.perUserLimit),
      claimable: form.claimable,
      ...scope,
    };
    if (form.validity === 'days') {
      if (!/^\d+$/.test(form.validDays.trim())) return setInvalid('有效天数请填写整数');
      input.validDays = Number(form.validDays);
    } else {
      const validFrom = fromLocalInput(form.validFrom);
      const validUntil = fromLocalInput(form.validUntil);
      if (!validFrom || !validUntil) return setInvalid('请填写有效期的开始和结束时间');
      input.validFrom = validFrom;
      input.validUntil = validUntil;
    }
    setInvalid(null);
    const answer = await create({ input });
    if (answer.data?.createCouponTemplate) {
      setForm(empty);
      onCreated();
    }
  }
  const refusal = templateRefusal(result.error);
  return (
    <form className="filters card" aria-label="新建券模板" onSubmit={submit}>
      <h2>新建券模板</h2>
      <TemplateFields form={form} setForm={setForm} categories={categories} />
      <button type="submit" disabled={result.fetching}>创建</button>
      {invalid && <span className="error-inline">{invalid}</span>}
      {refusal ? <div className="error" role="alert" data-code={String(result.error?.graphQLErrors[0]?.extensions?.code ?? '')}>{refusal}</div> : <ErrorNote error={result.error} />}
    </form>
  );
}

const fenToYuan = (fen: number) => (fen / 100).toFixed(2);

/** The API's refusals of a template creation or edit, in Chinese (by the field or reason it names); null for anything else. */
function templateRefusal(error: CombinedError | undefined): string | null {
  const first = error?.graphQLErrors[0];
  if (!first) return null;
  const { code, field, reason } = first.extensions ?? {};
  if (code === 'CONFLICT' && reason === 'TEMPLATE_ISSUED') return '该模板已发放过优惠券，类型、面额、使用门槛和适用范围不能再修改；请新建一个模板';
  if (code === 'NOT_FOUND') return '券模板不存在';
  if (code === 'FORBIDDEN') return '无权管理券模板（需要 promote:write 权限）';
  if (code !== 'BAD_USER_INPUT') return null;
  const byField: Record<string, string> = {
    name: '名称须为 1–64 个字',
    description: '说明最多 200 个字',
    amount: '面额不正确：满减券至少 0.01 元，且不超过系统上限',
    minSpend: '使用门槛不正确：不能为负，也不能低于满减券的面额',
    totalQuantity: '发放总量须为至少 1 的整数（不限则留空），且不能少于已发放的数量',
    perUserLimit: '每人限领须为至少 1 的整数',
    categoryIds: '适用分类不正确：指定分类时至少选择一个（最多 1000 个）',
    productIds: '适用商品不正确：指定商品时至少填写一个商品 ID（最多 1000 个）',
    validDays: '领取后有效天数须为 1–3650 的整数',
    validFrom: '固定有效期须同时填写开始和结束时间',
    validUntil: '固定有效期的结束时间须晚于开始时间，且在当前时间之后',
  };
  return byField[String(field)] ?? null;
}

/**
 * Edits a template: only what changed is sent, so an edit of the name of a template already issued does not touch its
 * terms (which the API then refuses to change: CONFLICT). Amounts in yuan, sent in fen; validity either days after
 * claiming or a fixed window (one replaces the other); a changed scope is sent whole (scope and both id lists), since
 * the API keeps the stored ids of a field left out and refuses ids of another scope.
 */
function EditTemplateForm({ template, categories, onSaved, onCancel }: { template: Template; categories: Category[]; onSaved: () => void; onCancel: () => void }) {
  const initial = {
    name: template.name,
    description: template.description ?? '',
    type: template.type as string,
    amount: template.type === 'CASH' ? fenToYuan(template.amount) : '',
    minSpend: fenToYuan(template.minSpend),
    totalQuantity: template.totalQuantity === null || template.totalQuantity === undefined ? '' : String(template.totalQuantity),
    perUserLimit: String(template.perUserLimit),
    validity: template.validDays ? 'days' : 'window',
    validDays: template.validDays ? String(template.validDays) : '30',
    validFrom: template.validFrom ? localInput(new Date(template.validFrom)) : '',
    validUntil: template.validUntil ? localInput(new Date(template.validUntil)) : '',
    claimable: template.claimable,
    scope: template.scope as string,
    categoryIds: template.categoryIds,
    productIds: template.productIds.join(', '),
  };
  const [form, setForm] = useState(initial);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [result, update] = useMutation(UpdateCouponTemplateDocument);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const input: UpdateCouponTemplateInput = {};
    const name = form.name.trim();
    if (name !== template.name) input.name = name;
    const description = form.description.trim();
    if (description !== (template.description ?? '')) input.description = description || null;
    const cash = form.type === 'CASH';
    if (form.type !== template.type) input.type = cash ? 'CASH' : 'FREE_SHIPPING';
    const amount = cash ? yuanToFen(form.amount) : 0;
    const minSpend = yuanToFen(form.minSpend);
    if (amount === undefined || minSpend === undefined) return setInvalid('金额请填写如 12.50 的数字');
    if (amount !== template.amount) input.amount = amount;
    if (minSpend !== template.minSpend) input.minSpend = minSpend;
    const quantity = form.totalQuantity.trim();
    if (quantity && !/^\d+$/.test(quantity)) return setInvalid('发放总量请填写整数，不限则留空');
    const totalQuantity = quantity ? Number(quantity) : null;
    if (totalQuantity !== (template.totalQuantity ?? null)) input.totalQuantity = totalQuantity;
    if (!/^\d+$/.test(form.perUserLimit.trim())) return setInvalid('每人限领请填写整数');
    if (Number(form.perUserLimit) !== template.perUserLimit) input.perUserLimit = Number(form.perUserLimit);
    const scope = scopeInput(form);
    if (typeof scope === 'string') return setInvalid(scope);
    const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id) => b.includes(id));
    if (scope.scope !== template.scope || !sameIds(scope.categoryIds, template.categoryIds) || !sameIds(scope.productIds, template.productIds)) Object.assign(input, scope);
    if (form.validity === 'days') {
      if (!/^\d+$/.test(form.validDays.trim())) return setInvalid('有效天数请填写整数');
      const days = Number(form.validDays);
      if (days !== template.validDays) input.validDays = days;
    } else {
      const validFrom = fromLocalInput(form.validFrom);
      const validUntil = fromLocalInput(form.validUntil);
      if (!validFrom || !validUntil) return setInvalid('请填写有效期的开始和结束时间');
      // A window is sent whole when either end moved or the template had days before (a window replaces them).
      if (template.validDays || form.validFrom !== initial.validFrom || form.validUntil !== initial.validUntil) {
        input.validFrom = validFrom;
        input.validUntil = validUntil;
      }
    }
    if (form.claimable !== template.claimable) input.claimable = form.claimable;
    setInvalid(null);
    if (!Object.keys(input).length) return onCancel();
    const answer = await update({ id: template.id, input });
    if (answer.data?.updateCouponTemplate) onSaved();
  }
  const refusal = templateRefusal(result.error);
  return (
    <form className="filters card" aria-label="编辑券模板" onSubmit={submit}>
      <h2>编辑券模板「{template.name}」</h2>
      {template.issuedCount > 0 && <p className="muted">已发放 {template.issuedCount} 张：类型、面额、使用门槛和适用范围不能再修改；名称、说明、发放总量、每人限领、有效期和是否可领取仍可修改。</p>}
      <TemplateFields form={form} setForm={setForm} categories={categories} minSpendRequired />
      <button type="submit" disabled={result.fetching}>保存</button>
      <button type="button" className="link" onClick={onCancel}>取消</button>
      {invalid && <span className="error-inline">{invalid}</span>}
      {refusal ? <div className="error" role="alert" data-code={String(result.error?.graphQLErrors[0]?.extensions?.code ?? '')}>{refusal}</div> : <ErrorNote error={result.error} />}
    </form>
  );
}

/** The API's refusals of a code edit or delete, in Chinese; null for anything else. */
function codeRefusal(error: CombinedError | undefined): string | null {
  const first = error?.graphQLErrors[0];
  if (!first) return null;
  const { code, reason, field } = first.extensions ?? {};
  if (code === 'CONFLICT' && reason === 'CODE_REDEEMED') return '该兑换码已被兑换，不能再修改（可删除以从列表中隐藏）';
  if (code === 'NOT_FOUND') return '兑换码不存在或已删除';
  if (code === 'FORBIDDEN') return '无权管理兑换码（需要 promote:write 权限）';
  if (code === 'BAD_USER_INPUT' && field === 'expiresAt') return '有效期至须为当前时间之后（要立即停止使用请停用该兑换码）';
  return null;
}

function Refusal({ error, refusal }: { error: CombinedError | undefined; refusal: string | null }) {
  return refusal ? <div className="error" role="alert" data-code={String(error?.graphQLErrors[0]?.extensions?.code ?? '')}>{refusal}</div> : <ErrorNote error={error} />;
}

/** A code's own expiry (empty: the template's window alone) and whether it is disabled; only what changed is sent. */
function EditCodeForm({ code, onSaved, onCancel }: { code: Code; onSaved: () => void; onCancel: () => void }) {
  const initial = { expiresAt: code.expiresAt ? localInput(new Date(code.expiresAt)) : '', disabled: Boolean(code.disabledAt) };
  const [form, setForm] = useState(initial);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [result, update] = useMutation(UpdateCouponCodeDocument);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const input: UpdateCouponCodeInput = {};
    if (form.expiresAt !== initial.expiresAt) {
      const expiresAt = form.expiresAt ? fromLocalInput(form.expiresAt) : null;
      if (expiresAt === undefined) return setInvalid('请填写有效的时间');
      input.expiresAt = expiresAt;
    }
    if (form.disabled !== initial.disabled) input.disabled = form.disabled;
    setInvalid(null);
    if (!Object.keys(input).length) return onCancel();
    const answer = await update({ id: code.id, input });
    if (answer.data?.updateCouponCode) onSaved();
  }
  return (
    <form className="filters card" aria-label="编辑兑换码" onSubmit={submit}>
      <h2>编辑兑换码 {code.code}</h2>
      <label>有效期至<input name="expiresAt" type="datetime-local" step="1" value={form.expiresAt} onChange={(e) => setForm({ ...form, expiresAt: e.target.value })} /></label>
      <span className="muted">留空：仅按券模板的有效期</span>
      <label className="check"><input type="checkbox" name="disabled" checked={form.disabled} onChange={(e) => setForm({ ...form, disabled: e.target.checked })} />停用</label>
      <button type="submit" disabled={result.fetching}>保存</button>
      <button type="button" className="link" onClick={onCancel}>取消</button>
      {invalid && <span className="error-inline">{invalid}</span>}
      <Refusal error={result.error} refusal={codeRefusal(result.error)} />
    </form>
  );
}

/** Deletes a code after a confirmation: it never redeems again; an unredeemed code's coupon returns to the template. */
function DeleteCodeButton({ code, onDeleted }: { code: Code; onDeleted: () => void }) {
  const [result, remove] = useMutation(DeleteCouponCodeDocument);
  async function click() {
    if (!window.confirm(`删除兑换码 ${code.code}？删除后不能再兑换${code.status === 'REDEEMED' ? '（已兑换的优惠券不受影响）' : '，预留的 1 张券退回模板的发放总量'}。`)) return;
    const answer = await remove({ id: code.id });
    if (answer.data?.deleteCouponCode) onDeleted();
  }
  return (
    <>
      <button type="button" className="link" onClick={click} disabled={result.fetching}>删除</button>
      <Refusal error={result.error} refusal={codeRefusal(result.error)} />
    </>
  );
}

/** How many redeem codes to generate for a template (1-1000; each takes one coupon of its total quantity). */
function CodesForm({ templateId, name, onCodes }: { templateId: string; name: string; onCodes: (codes: string[]) => void }) {
  const [count, setCount] = useState('10');
  const [result, generate] = useMutation(CreateCouponCodesDocument);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const answer = await generate({ templateId, count: Number(count) });
    if (answer.data) onCodes(answer.data.createCouponCodes);
  }
  return (
    <form className="inline" onSubmit={submit} aria-label={`${name} 生成兑换码`}>
      <input aria-label={`${name} 兑换码数量`} type="number" min="1" max="1000" value={count} onChange={(e) => setCount(e.target.value)} style={{ width: 70 }} required />
      <button type="submit" disabled={result.fetching}>生成</button>
      <ErrorNote error={result.error} />
    </form>
  );
}

/** The codes just generated, once: listed later one by one, but never again as this batch. Copy or download them now. */
function CodesOnce({ templateName, codes, onClose }: { templateName: string; codes: string[]; onClose: () => void }) {
  const text = `${codes.join('\n')}\n`;
  const [copied, setCopied] = useState<boolean | null>(null);
  // A blob URL, not a data: one: the console's CSP allows the page's own origin and blobs it makes are same-origin.
  const [href] = useState(() => URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' })));
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  function close() {
    URL.revokeObjectURL(href);
    onClose();
  }
  return (
    <div className="secret" role="dialog" aria-label="新生成的兑换码">
      <p>「{templateName}」的 {codes.length} 个兑换码（仅此一次整批显示，请复制或下载保存）：</p>
      <pre data-testid="generated-codes">{text}</pre>
      <div className="inline">
        <button type="button" onClick={copy}>复制</button>
        <a href={href} download={`coupon-codes-${templateName}.txt`}>下载</a>
        <button type="button" onClick={close}>我已保存</button>
        {copied === true && <span className="ok-inline">已复制</span>}
        {copied === false && <span className="error-inline">浏览器未允许复制，请选中文本复制或下载</span>}
      </div>
    </div>
  );
}
