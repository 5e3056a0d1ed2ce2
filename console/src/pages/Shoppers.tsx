/**
 * 会员/顾客 (customer:read): look shoppers up by mobile, id or nickname (mobile masked in the list), and a shopper's
 * detail: profile, addresses, wallet balance and recent bills. Every detail view is recorded in the API's access log
 * (the page says so); the list shows nothing in full. Orders are the 订单 page's search by shopper id.
 */
import { useState } from 'react';
import { useQuery } from 'urql';
import { Link, useLocation } from 'wouter';
import { time, yuan } from '../format';
import { ShopperDetailDocument, ShoppersDocument, type ShopperFilter } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

const LEVEL: Record<string, string> = { NONE: '非会员', TRIAL: '体验会员', FORMAL: '正式会员' };
const BILL_KIND: Record<string, string> = { CREDIT: '充值', PAYMENT: '支付', REFUND: '退款' };

function membershipText(membership: { level: string; expiresAt?: string | null }): string {
  const level = LEVEL[membership.level] ?? membership.level;
  return membership.level !== 'NONE' && membership.expiresAt ? `${level}（到期 ${time(membership.expiresAt)}）` : level;
}

export function ShoppersPage() {
  const [form, setForm] = useState({ mobile: '', userId: '', nickname: '' });
  const [filter, setFilter] = useState<ShopperFilter | null>(null);
  const [after, setAfter] = useState<string | null>(null);
  const [result] = useQuery({ query: ShoppersDocument, variables: { filter: filter ?? {}, first: 20, after }, pause: !filter, requestPolicy: 'network-only' });
  const set = (key: keyof typeof form) => (event: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [key]: event.target.value });
  const empty = !form.mobile.trim() && !form.userId.trim() && !form.nickname.trim();
  function search(event: React.FormEvent) {
    event.preventDefault();
    if (empty) return;
    setAfter(null);
    setFilter({ mobile: form.mobile.trim() || undefined, userId: form.userId.trim() || undefined, nickname: form.nickname.trim() || undefined });
  }
  const connection = filter ? result.data?.shoppers : undefined;
  return (
    <section>
      <PageTitle>会员/顾客</PageTitle>
      <form className="filters" onSubmit={search} aria-label="顾客搜索">
        <label>手机号<input name="mobile" value={form.mobile} onChange={set('mobile')} placeholder="完整 11 位" inputMode="numeric" /></label>
        <label>用户 ID<input name="userId" value={form.userId} onChange={set('userId')} /></label>
        <label>昵称<input name="nickname" value={form.nickname} onChange={set('nickname')} placeholder="开头几个字" /></label>
        <button type="submit" disabled={empty}>搜索</button>
      </form>
      {!filter && <div className="muted">请输入手机号、用户 ID 或昵称开头（至少一项）</div>}
      <ErrorNote error={filter ? result.error : null} />
      <Loading when={!!filter && result.fetching && !connection} />
      {connection && (
        <>
          <table className="table" aria-label="顾客列表">
            <thead>
              <tr><th>用户 ID</th><th>昵称</th><th>手机号</th><th>会员</th><th>家庭数</th><th>注册时间</th><th></th></tr>
            </thead>
            <tbody>
              {connection.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td>{node.id}</td>
                  <td>{node.nickname ?? '—'}</td>
                  <td data-testid="shopper-mobile">{node.mobile ?? '—'}</td>
                  <td>{membershipText(node.membership)}</td>
                  <td>{node.familyCount}</td>
                  <td>{time(node.registeredAt)}</td>
                  <td><Link href={`/shoppers/${node.id}`}>查看详情</Link></td>
                </tr>
              ))}
            </tbody>
          </table>
          {!connection.edges.length && <div className="muted">没有符合条件的顾客</div>}
          <div className="pager">
            {after && <button type="button" onClick={() => setAfter(null)}>第一页</button>}
            {connection.pageInfo.hasNextPage && <button type="button" onClick={() => setAfter(connection.pageInfo.endCursor ?? null)}>下一页</button>}
          </div>
        </>
      )}
    </section>
  );
}

export function ShopperDetailPage({ id, scopes }: { id: string; scopes?: string[] }) {
  // Each load is one recorded read: no background refetches.
  const [result] = useQuery({ query: ShopperDetailDocument, variables: { id }, requestPolicy: 'network-only' });
  const [, navigate] = useLocation();
  const shopper = result.data?.shopper;
  if (result.fetching && !shopper) return <Loading when />;
  if (!shopper) return (<><ErrorNote error={result.error} /><p><Link href="/shoppers">← 返回顾客搜索</Link></p></>);
  const bills = shopper.wallet.bills;
  return (
    <section>
      <PageTitle>顾客 {shopper.nickname ?? shopper.id}</PageTitle>
      <p><Link href="/shoppers">← 返回顾客搜索</Link></p>
      <div className="notice">查看顾客个人信息会记录在访问日志中（员工、顾客、时间），仅在处理顾客事务时查看。</div>
      <ErrorNote error={result.error} />
      <dl className="facts" aria-label="顾客资料">
        <dt>用户 ID</dt><dd data-testid="shopper-id">{shopper.id}</dd>
        <dt>昵称</dt><dd>{shopper.nickname ?? '—'}</dd>
        <dt>手机号</dt><dd data-testid="shopper-mobile">{shopper.mobile ?? '—'}</dd>
        <dt>注册时间</dt><dd>{time(shopper.registeredAt)}</dd>
        <dt>会员</dt><dd>{membershipText(shopper.membership)}</dd>
        <dt>家庭数</dt><dd>{shopper.familyCount}</dd>
        <dt>钱包余额</dt><dd data-testid="wallet-balance">{yuan(shopper.wallet.balance)}</dd>
      </dl>
      {scopes?.includes('order:write') && (
        <p><button type="button" className="link" onClick={() => navigate(`/orders?shopperId=${encodeURIComponent(shopper.id)}`)}>查看该顾客的订单 →</button></p>
      )}
      {/* The access log is staff:admin's (the API refuses anyone else): offered only to those who hold it. */}
      {scopes?.includes('staff:admin') && (
        <p><button type="button" className="link" onClick={() => navigate(`/system/shopper-access?userId=${encodeURIComponent(shopper.id)}`)}>查看该顾客信息的访问记录 →</button></p>
      )}

      <h2>收货地址</h2>
      {shopper.addresses?.length ? (
        <table className="table" aria-label="收货地址">
          <thead><tr><th>收货人</th><th>电话</th><th>地址</th><th></th></tr></thead>
          <tbody>
            {shopper.addresses.map((address) => (
              <tr key={address.id}>
                <td>{address.contactName}</td>
                <td>{address.phone}</td>
                <td>{`${address.province}${address.city}${address.district}${address.detail}`}</td>
                <td>{address.isDefault ? '默认' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div className="muted">没有收货地址</div>
      )}

      <h2>最近钱包流水</h2>
      {bills.edges.length ? (
        <table className="table" aria-label="钱包流水">
          <thead><tr><th>时间</th><th>类型</th><th>金额</th><th>余额</th><th>说明</th></tr></thead>
          <tbody>
            {bills.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>{time(node.createdAt)}</td>
                <td>{BILL_KIND[node.kind] ?? node.kind}</td>
                <td>{node.amount > 0 ? `+${yuan(node.amount)}` : `-${yuan(-node.amount)}`}</td>
                <td>{yuan(node.balanceAfter)}</td>
                <td>{node.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div className="muted">没有钱包流水</div>
      )}
      {bills.pageInfo.hasNextPage && <div className="muted">仅显示最近 10 条</div>}
    </section>
  );
}
