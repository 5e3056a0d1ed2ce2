/**
 * A member's cards (seed 001's member card numbers: one WeChat, one Alipay, one shop card per member): find the member
 * by user id (or come from 会员识别 with it), see the cards, set a card's number. A number another member holds is
 * the API's CONFLICT, said plainly here; nothing changes then.
 */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useSearch } from 'wouter';
import { MemberCardsDocument, SetMemberCardDocument, type MemberCardKind } from '../../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../../ui';

export const CARD_KIND: Record<MemberCardKind, string> = { WECHAT: '微信会员卡', ALIPAY: '支付宝会员卡', SHOP: '本店会员卡' };

export function MemberCardsPage() {
  const fromLink = new URLSearchParams(useSearch()).get('userId') ?? '';
  const [typed, setTyped] = useState(fromLink);
  const [userId, setUserId] = useState(fromLink);
  return (
    <section>
      <PageTitle>会员卡</PageTitle>
      <form className="filters" aria-label="查找会员" onSubmit={(e) => { e.preventDefault(); setUserId(typed.trim()); }}>
        <label>会员 ID<input name="userId" value={typed} onChange={(e) => setTyped(e.target.value)} inputMode="numeric" required /></label>
        <button type="submit">查询</button>
      </form>
      {/^\d+$/.test(userId) ? <MemberCards key={userId} userId={userId} /> : userId && <div className="error" role="alert">会员 ID 是数字</div>}
    </section>
  );
}

function MemberCards({ userId }: { userId: string }) {
  const [result, refetch] = useQuery({ query: MemberCardsDocument, variables: { userId }, requestPolicy: 'network-only' });
  const [saved, save] = useMutation(SetMemberCardDocument);
  const [kind, setKind] = useState<MemberCardKind>('SHOP');
  const [number, setNumber] = useState('');
  const [done, setDone] = useState<string | null>(null);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setDone(null);
    const answer = await save({ userId, kind, number: number.trim() });
    if (answer.data) {
      setDone(`已为会员 ${userId} 设置${CARD_KIND[kind]}`);
      setNumber('');
      refetch({ requestPolicy: 'network-only' });
    }
  }
  const refusal = saved.error?.graphQLErrors[0];
  const code = String(refusal?.extensions?.code ?? '');
  return (
    <div className="card" aria-label="会员卡">
      <h2>会员 {userId} 的会员卡</h2>
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !result.data} />
      <table className="table" aria-label="会员卡列表">
        <thead><tr><th>卡类型</th><th>卡号</th></tr></thead>
        <tbody>
          {result.data?.memberCards.map((card) => (
            <tr key={card.kind} data-testid={`card-${card.kind}`}><td>{CARD_KIND[card.kind]}</td><td>{card.number}</td></tr>
          ))}
          {result.data && !result.data.memberCards.length && <tr><td colSpan={2} className="muted">还没有会员卡</td></tr>}
        </tbody>
      </table>
      <form className="filters" aria-label="设置会员卡" onSubmit={submit}>
        <label>
          卡类型
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as MemberCardKind)}>
            {Object.entries(CARD_KIND).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
        <label>卡号<input name="number" value={number} onChange={(e) => setNumber(e.target.value)} placeholder="4–32 位字母或数字" required /></label>
        <button type="submit" disabled={saved.fetching}>保存</button>
      </form>
      {refusal && code === 'CONFLICT' && (
        <div className="error" role="alert" data-code={code}>该卡号已属于另一位会员，不能重复绑定；请核对卡号（未做任何修改）</div>
      )}
      {refusal && code === 'BAD_USER_INPUT' && (
        <div className="error" role="alert" data-code={code}>
          {refusal.extensions?.field === 'userId' ? '没有这个会员账号' : '卡号应为 4–32 位字母或数字'}
        </div>
      )}
      {(!refusal || (code !== 'CONFLICT' && code !== 'BAD_USER_INPUT')) && <ErrorNote error={saved.error} />}
      {done && <div className="notice" role="status">{done}</div>}
    </div>
  );
}
