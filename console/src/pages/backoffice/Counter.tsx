/**
 * The store counter (seed 001): identify a member by the code they show (phone, WeChat / Alipay / shop card, a coupon's
 * code) and redeem a coupon at one of my stores (核销, once). The API decides who may act for which store.
 */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useSearch } from 'wouter';
import { time, yuan } from '../../format';
import { IdentifyMemberDocument, RedeemCouponAtStoreDocument, StoreRedemptionsDocument, type RedeemCouponAtStoreMutation } from '../../gql/graphql';
import { ErrorNote, PageTitle } from '../../ui';
import { refusalText, StorePicker } from './StorePicker';

const KIND: Record<string, string> = { PHONE: '手机号', WECHAT_CARD: '微信会员卡', ALIPAY_CARD: '支付宝会员卡', SHOP_CARD: '本店会员卡', COUPON: '优惠券' };
const LEVEL: Record<string, string> = { NONE: '非会员', TRIAL: '体验会员', FORMAL: '正式会员' };

export function IdentifyMemberPage({ scopes }: { scopes?: string[] }) {
  const [storeCode, setStoreCode] = useState('');
  const [code, setCode] = useState('');
  const [asked, setAsked] = useState<{ storeCode: string; code: string } | null>(null);
  const [result] = useQuery({ query: IdentifyMemberDocument, variables: asked ?? { storeCode: '', code: '' }, pause: !asked, requestPolicy: 'network-only' });
  const member = asked && result.data?.identifyMember;
  const refusal = result.error?.graphQLErrors[0];
  return (
    <section>
      <PageTitle>会员识别</PageTitle>
      <form className="filters" aria-label="会员识别" onSubmit={(e) => { e.preventDefault(); if (storeCode && code.trim()) setAsked({ storeCode, code: code.trim() }); }}>
        <StorePicker value={storeCode} onChange={setStoreCode} />
        <label>会员码<input name="code" value={code} onChange={(e) => setCode(e.target.value)} placeholder="手机号 / 会员卡号 / 券码" required /></label>
        <button type="submit" disabled={!storeCode}>识别</button>
      </form>
      {refusal ? <div className="error" role="alert">{refusalText(refusal.extensions, refusal.message, time)}</div> : <ErrorNote error={result.error} />}
      {member && (
        <div className="card" aria-label="会员信息">
          <dl className="facts">
            <dt>识别方式</dt><dd data-testid="member-kind">{KIND[member.kind] ?? member.kind}</dd>
            <dt>会员 ID</dt><dd data-testid="member-id">{member.userId}</dd>
            <dt>昵称</dt><dd>{member.nickname ?? '—'}</dd>
            <dt>手机号</dt><dd data-testid="member-phone">{member.maskedPhone ?? '—'}</dd>
            <dt>会员等级</dt><dd>{LEVEL[member.membership.level] ?? member.membership.level}{member.membership.expiresAt ? `（到期 ${time(member.membership.expiresAt)}）` : ''}</dd>
            {member.couponId && (<><dt>优惠券</dt><dd data-testid="member-coupon">{member.couponId}</dd></>)}
          </dl>
          {/* Member cards are store:admin's (the API refuses anyone else): offered only to those who hold it. */}
          {scopes?.includes('store:admin') && <p><Link href={`/backoffice/member-cards?userId=${encodeURIComponent(member.userId)}`}>查看、设置会员卡</Link></p>}
          {member.kind === 'COUPON' && (
            <Link href={`/backoffice/redeem?store=${encodeURIComponent(asked.storeCode)}&code=${encodeURIComponent(asked.code)}`}>核销这张券</Link>
          )}
        </div>
      )}
    </section>
  );
}

export function RedeemCouponPage() {
  // Coming from identification, the store and code are carried over.
  const params = new URLSearchParams(useSearch());
  const [storeCode, setStoreCode] = useState(params.get('store') ?? '');
  const [code, setCode] = useState(params.get('code') ?? '');
  const [result, redeem] = useMutation(RedeemCouponAtStoreDocument);
  const [done, setDone] = useState<RedeemCouponAtStoreMutation['redeemCouponAtStore'] | null>(null);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setDone(null);
    const answer = await redeem({ storeCode, code: code.trim() });
    if (answer.data) setDone(answer.data.redeemCouponAtStore);
  }
  const refusal = result.error?.graphQLErrors[0];
  return (
    <section>
      <PageTitle>券核销</PageTitle>
      <form className="filters" aria-label="券核销" onSubmit={submit}>
        <StorePicker value={storeCode} onChange={setStoreCode} />
        <label>券码<input name="code" value={code} onChange={(e) => setCode(e.target.value)} placeholder="顾客出示的核销码" required /></label>
        <button type="submit" disabled={!storeCode || result.fetching}>核销</button>
      </form>
      {refusal ? (
        <div className="error" role="alert" data-code={String(refusal.extensions?.code ?? '')}>{refusalText(refusal.extensions, refusal.message, time)}</div>
      ) : (
        <ErrorNote error={result.error} />
      )}
      {done && (
        <div className="notice" role="status">
          核销成功：门店 {done.storeCode}，券 {done.couponId}，面额 {yuan(done.amount)}，时间 {time(done.redeemedAt)}
        </div>
      )}
      {/* Mounted anew after each redemption: the list is asked again. */}
      {storeCode && <TodayRedemptions key={`${storeCode}-${done?.couponId ?? ''}`} storeCode={storeCode} />}
    </section>
  );
}

/** The store's redemptions of today (China time), newest first. */
function TodayRedemptions({ storeCode }: { storeCode: string }) {
  const [bounds] = useState(() => {
    const midnight = Date.parse(`${new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)}T00:00:00+08:00`);
    return { from: new Date(midnight).toISOString(), to: new Date(midnight + 86_400_000).toISOString() };
  });
  const [result] = useQuery({ query: StoreRedemptionsDocument, variables: { storeCode, ...bounds, first: 50 }, requestPolicy: 'network-only' });
  return (
    <div className="card">
      <h2>今日核销记录（{storeCode}）</h2>
      <ErrorNote error={result.error} />
      <table className="table" aria-label="今日核销记录">
        <thead><tr><th>时间</th><th>券</th><th>面额</th><th>会员</th><th>操作员</th><th>终端</th></tr></thead>
        <tbody>
          {result.data?.storeRedemptions.edges.map(({ node }) => (
            <tr key={node.couponId}>
              <td>{time(node.redeemedAt)}</td><td>{node.couponId}</td><td>{yuan(node.amount)}</td><td>{node.userId}</td><td>{node.staffUserId}</td><td>{node.terminalId ?? '—'}</td>
            </tr>
          ))}
          {result.data && !result.data.storeRedemptions.edges.length && <tr><td colSpan={6} className="muted">今天还没有核销</td></tr>}
        </tbody>
      </table>
    </div>
  );
}
