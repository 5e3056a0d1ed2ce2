/**
 * The store counter (seed 001): identify a member by the code they show (phone, WeChat / Alipay / shop card, a coupon's
 * code) and redeem a coupon at one of my stores (核销, once), with the store's redemptions of a period (today first).
 * The API decides who may act for which store.
 */
import { useState } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
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
      {/* Mounted anew after each redemption: the list is asked again (from today). */}
      {storeCode && <Redemptions key={`${storeCode}-${done?.couponId ?? ''}`} storeCode={storeCode} />}
    </section>
  );
}

/** A China date (YYYY-MM-DD) as the instant its day starts (Asia/Shanghai has no daylight saving: always +08:00). */
const chinaMidnight = (date: string) => Date.parse(`${date}T00:00:00+08:00`);
const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** The API's refusal of a period, in Chinese; null for anything else (shown in the API's words). */
function periodRefusal(error: CombinedError | undefined): string | null {
  const first = error?.graphQLErrors[0];
  if (first?.extensions?.code !== 'BAD_USER_INPUT') return null;
  if (first.extensions.field === 'to') return '结束日期不能早于开始日期，期间最长 366 天';
  if (first.extensions.field === 'from') return '开始日期格式不正确';
  return null;
}

/**
 * The store's redemptions over a period of China dates (both days included; today by default), newest first, in keyset
 * pages. The API takes instants: from the first day's midnight to the midnight after the last day (at most 366 days).
 */
function Redemptions({ storeCode }: { storeCode: string }) {
  const today = chinaToday();
  const [dates, setDates] = useState({ from: today, to: today });
  const [period, setPeriod] = useState({ from: today, to: today });
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const bounds = { from: new Date(chinaMidnight(period.from)).toISOString(), to: new Date(chinaMidnight(period.to) + 86_400_000).toISOString() };
  const [result, reexecute] = useQuery({
    query: StoreRedemptionsDocument,
    variables: { storeCode, ...bounds, first: 50, after: cursors[cursors.length - 1] },
    requestPolicy: 'network-only',
  });
  const isToday = period.from === today && period.to === today;
  const title = isToday ? '今日核销记录' : `核销记录 ${period.from} 至 ${period.to}`;
  const connection = result.data?.storeRedemptions;
  const refusal = periodRefusal(result.error);
  return (
    <div className="card">
      <h2>{title}（{storeCode}）</h2>
      <form className="filters" aria-label="核销记录期间" onSubmit={(e) => {
        e.preventDefault();
        if (!dates.from || !dates.to) return;
        // The same period again asks again (a redemption may have come since).
        if (dates.from === period.from && dates.to === period.to && cursors.length === 1) reexecute({ requestPolicy: 'network-only' });
        setCursors([null]);
        setPeriod({ ...dates });
      }}>
        <label>开始日期<input type="date" name="from" value={dates.from} onChange={(e) => setDates({ ...dates, from: e.target.value })} required /></label>
        <label>结束日期<input type="date" name="to" value={dates.to} onChange={(e) => setDates({ ...dates, to: e.target.value })} required /></label>
        <button type="submit">查询</button>
        {!isToday && <button type="button" onClick={() => { setCursors([null]); setDates({ from: today, to: today }); setPeriod({ from: today, to: today }); }}>今天</button>}
      </form>
      {refusal ? <div className="error" role="alert" data-code="BAD_USER_INPUT">{refusal}</div> : <ErrorNote error={result.error} />}
      <table className="table" aria-label={isToday ? '今日核销记录' : '核销记录'}>
        <thead><tr><th>时间</th><th>券</th><th>面额</th><th>会员</th><th>操作员</th><th>终端</th></tr></thead>
        <tbody>
          {connection?.edges.map(({ node }) => (
            <tr key={node.couponId}>
              <td>{time(node.redeemedAt)}</td><td>{node.couponId}</td><td>{yuan(node.amount)}</td><td>{node.userId}</td><td>{node.staffUserId}</td><td>{node.terminalId ?? '—'}</td>
            </tr>
          ))}
          {connection && !connection.edges.length && <tr><td colSpan={6} className="muted">{isToday ? '今天还没有核销' : '这段期间没有核销'}</td></tr>}
        </tbody>
      </table>
      {connection && (
        <div className="pager">
          {cursors.length > 1 && <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>上一页</button>}
          {connection.pageInfo.hasNextPage && <button type="button" onClick={() => setCursors([...cursors, connection.pageInfo.endCursor ?? null])}>下一页</button>}
        </div>
      )}
    </div>
  );
}
