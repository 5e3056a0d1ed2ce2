/**
 * Coupons: templates with their issue counts (create one, edit one, enable / disable it, generate redeem codes — shown
 * once, to copy or download), and the redeem codes (searchable by code).
 */
import { useState } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { fromLocalInput, localInput, time, yuan } from '../format';
import {
  CouponCodesDocument,
  CouponTemplatesDocument,
  CreateCouponCodesDocument,
  CreateCouponTemplateDocument,
  SetCouponTemplateActiveDocument,
  UpdateCouponTemplateDocument,
  type CouponTemplatesQuery,
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
  const [codes] = useQuery({ query: CouponCodesDocument, variables: { filter: codeFilter, first: 50 } });
  return (
    <section>
      <PageTitle>优惠券</PageTitle>
      <NewTemplateForm onCreated={() => refetchTemplates({ requestPolicy: 'network-only' })} />
      {generated && <CodesOnce {...generated} onClose={() => setGenerated(null)} />}
      <h2>券模板</h2>
      <ErrorNote error={templates.error ?? activeResult.error} />
      <Loading when={templates.fetching && !templates.data} />
      <table className="table" aria-label="券模板">
        <thead><tr><th>名称</th><th>类型</th><th>面额</th><th>门槛</th><th>已发放</th><th>总量</th><th>剩余</th><th>有效期</th><th>状态</th><th>操作</th><th>生成兑换码</th></tr></thead>
        <tbody>
          {templates.data?.couponTemplates.edges.map(({ node }) => (
            <tr key={node.id}>
              <td>{node.name}</td><td>{node.type}</td><td>{node.type === 'FREE_SHIPPING' ? '免运费' : yuan(node.amount)}</td>
              <td>{yuan(node.minSpend)}</td><td>{node.issuedCount}</td><td>{node.totalQuantity ?? '不限'}</td><td>{node.remainingQuantity ?? '不限'}</td>
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
          <EditTemplateForm key={template.id} template={template} onSaved={() => { setEditing(null); refetchTemplates({ requestPolicy: 'network-only' }); }} onCancel={() => setEditing(null)} />
        ) : null;
      })()}
      <h2>兑换码</h2>
      <form className="filters" aria-label="兑换码搜索" onSubmit={(e) => { e.preventDefault(); setCodeFilter(code.trim() ? { code: code.trim() } : {}); }}>
        <label>兑换码<input name="code" value={code} onChange={(e) => setCode(e.target.value)} /></label>
        <button type="submit">搜索</button>
      </form>
      <ErrorNote error={codes.error} />
      <table className="table" aria-label="兑换码">
        <thead><tr><th>兑换码</th><th>券模板</th><th>状态</th><th>创建时间</th><th>兑换时间</th><th>兑换人</th></tr></thead>
        <tbody>
          {codes.data?.couponCodes.edges.map(({ node }) => (
            <tr key={node.id}>
              <td>{node.code}</td><td>{node.template.name}</td><td>{node.status}</td><td>{time(node.createdAt)}</td><td>{time(node.redeemedAt)}</td><td>{node.redeemedBy ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const yuanToFen = (value: string) => (/^\d+(\.\d{1,2})?$/.test(value.trim()) ? Math.round(Number(value) * 100) : undefined);

/** A new template: amounts typed in yuan, sent in fen; the API checks the rest (BAD_USER_INPUT with the field). */
function NewTemplateForm({ onCreated }: { onCreated: () => void }) {
  const empty = { name: '', type: 'CASH', amount: '', minSpend: '', totalQuantity: '', validDays: '30', claimable: true };
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
    if (!/^\d+$/.test(form.validDays.trim())) return setInvalid('有效天数请填写整数');
    setInvalid(null);
    const answer = await create({
      input: {
        name: form.name.trim(),
        type: cash ? ('CASH' as const) : ('FREE_SHIPPING' as const),
        amount,
        minSpend,
        totalQuantity: form.totalQuantity.trim() ? Number(form.totalQuantity) : null,
        validDays: Number(form.validDays),
        claimable: form.claimable,
      },
    });
    if (answer.data?.createCouponTemplate) {
      setForm(empty);
      onCreated();
    }
  }
  return (
    <form className="filters card" aria-label="新建券模板" onSubmit={submit}>
      <h2>新建券模板</h2>
      <label>名称<input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required maxLength={64} /></label>
      <label>类型
        <select name="type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
          <option value="CASH">满减券</option>
          <option value="FREE_SHIPPING">免运费券</option>
        </select>
      </label>
      {form.type === 'CASH' && <label>面额（元）<input name="amount" value={form.amount} onChange={(e) => setForm({ ...form, amount: e.target.value })} required size={8} /></label>}
      <label>使用门槛（元）<input name="minSpend" value={form.minSpend} onChange={(e) => setForm({ ...form, minSpend: e.target.value })} placeholder="不填：同面额" size={8} /></label>
      <label>发放总量<input name="totalQuantity" value={form.totalQuantity} onChange={(e) => setForm({ ...form, totalQuantity: e.target.value })} placeholder="不限" size={8} /></label>
      <label>领取后有效天数<input name="validDays" value={form.validDays} onChange={(e) => setForm({ ...form, validDays: e.target.value })} required size={5} /></label>
      <label className="check"><input type="checkbox" name="claimable" checked={form.claimable} onChange={(e) => setForm({ ...form, claimable: e.target.checked })} />用户可直接领取</label>
      <button type="submit" disabled={result.fetching}>创建</button>
      {invalid && <span className="error-inline">{invalid}</span>}
      <ErrorNote error={result.error} />
    </form>
  );
}

type Template = CouponTemplatesQuery['couponTemplates']['edges'][number]['node'];

const fenToYuan = (fen: number) => (fen / 100).toFixed(2);

/** The API's refusals of a template edit, in Chinese (by the field or reason it names); null for anything else. */
function templateRefusal(error: CombinedError | undefined): string | null {
  const first = error?.graphQLErrors[0];
  if (!first) return null;
  const { code, field, reason } = first.extensions ?? {};
  if (code === 'CONFLICT' && reason === 'TEMPLATE_ISSUED') return '该模板已发放过优惠券，类型、面额和使用门槛不能再修改；请新建一个模板';
  if (code === 'NOT_FOUND') return '券模板不存在';
  if (code === 'FORBIDDEN') return '无权编辑券模板（需要 promote:write 权限）';
  if (code !== 'BAD_USER_INPUT') return null;
  const byField: Record<string, string> = {
    name: '名称须为 1–64 个字',
    amount: '面额不正确：满减券至少 0.01 元，且不超过系统上限',
    minSpend: '使用门槛不正确：不能为负，也不能低于满减券的面额',
    totalQuantity: '发放总量须为至少 1 的整数（不限则留空），且不能少于已发放的数量',
    validDays: '领取后有效天数须为 1–3650 的整数',
    validFrom: '固定有效期须同时填写开始和结束时间',
    validUntil: '固定有效期的结束时间须晚于开始时间，且在当前时间之后',
  };
  return byField[String(field)] ?? null;
}

/**
 * Edits a template: only what changed is sent, so an edit of the name of a template already issued does not touch its
 * terms (which the API then refuses to change: CONFLICT). Amounts in yuan, sent in fen; validity either days after
 * claiming or a fixed window (one replaces the other).
 */
function EditTemplateForm({ template, onSaved, onCancel }: { template: Template; onSaved: () => void; onCancel: () => void }) {
  const initial = {
    name: template.name,
    type: template.type as string,
    amount: template.type === 'CASH' ? fenToYuan(template.amount) : '',
    minSpend: fenToYuan(template.minSpend),
    totalQuantity: template.totalQuantity === null || template.totalQuantity === undefined ? '' : String(template.totalQuantity),
    validity: template.validDays ? 'days' : 'window',
    validDays: template.validDays ? String(template.validDays) : '30',
    validFrom: template.validFrom ? localInput(new Date(template.validFrom)) : '',
    validUntil: template.validUntil ? localInput(new Date(template.validUntil)) : '',
    claimable: template.claimable,
  };
  const [form, setForm] = useState(initial);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [result, update] = useMutation(UpdateCouponTemplateDocument);
  const text = (name: 'name' | 'amount' | 'minSpend' | 'totalQuantity' | 'validDays' | 'validFrom' | 'validUntil') => ({
    name, value: form[name], onChange: (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [name]: e.target.value }),
  });
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const input: UpdateCouponTemplateInput = {};
    const name = form.name.trim();
    if (name !== template.name) input.name = name;
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
      {template.issuedCount > 0 && <p className="muted">已发放 {template.issuedCount} 张：类型、面额和使用门槛不能再修改名称、发放总量、有效期和是否可领取仍可修改。</p>}
      <label>名称<input {...text('name')} required maxLength={64} /></label>
      <label>类型
        <select name="type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
          <option value="CASH">满减券</option>
          <option value="FREE_SHIPPING">免运费券</option>
        </select>
      </label>
      {form.type === 'CASH' && <label>面额（元）<input {...text('amount')} required size={8} /></label>}
      <label>使用门槛（元）<input {...text('minSpend')} required size={8} /></label>
      <label>发放总量<input {...text('totalQuantity')} placeholder="不限" size={8} /></label>
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
      <button type="submit" disabled={result.fetching}>保存</button>
      <button type="button" className="link" onClick={onCancel}>取消</button>
      {invalid && <span className="error-inline">{invalid}</span>}
      {refusal ? <div className="error" role="alert" data-code={String(result.error?.graphQLErrors[0]?.extensions?.code ?? '')}>{refusal}</div> : <ErrorNote error={result.error} />}
    </form>
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
