/** Coupons: templates with their issue counts, and the redeem codes (searchable by code). */
import { useState } from 'react';
import { useQuery } from 'urql';
import { time, yuan } from '../format';
import { CouponCodesDocument, CouponTemplatesDocument } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

export function CouponsPage() {
  const [templates] = useQuery({ query: CouponTemplatesDocument, variables: { first: 50 } });
  const [code, setCode] = useState('');
  const [codeFilter, setCodeFilter] = useState<{ code?: string }>({});
  const [codes] = useQuery({ query: CouponCodesDocument, variables: { filter: codeFilter, first: 50 } });
  return (
    <section>
      <PageTitle>优惠券</PageTitle>
      <h2>券模板</h2>
      <ErrorNote error={templates.error} />
      <Loading when={templates.fetching && !templates.data} />
      <table className="table" aria-label="券模板">
        <thead><tr><th>名称</th><th>类型</th><th>面额</th><th>门槛</th><th>已发放</th><th>总量</th><th>剩余</th><th>有效期</th><th>状态</th></tr></thead>
        <tbody>
          {templates.data?.couponTemplates.edges.map(({ node }) => (
            <tr key={node.id}>
              <td>{node.name}</td><td>{node.type}</td><td>{node.type === 'FREE_SHIPPING' ? '免运费' : yuan(node.amount)}</td>
              <td>{yuan(node.minSpend)}</td><td>{node.issuedCount}</td><td>{node.totalQuantity ?? '不限'}</td><td>{node.remainingQuantity ?? '不限'}</td>
              <td>{node.validDays ? `领取后 ${node.validDays} 天` : `${time(node.validFrom)} ~ ${time(node.validUntil)}`}</td>
              <td>{node.active ? '启用' : '停用'}</td>
            </tr>
          ))}
        </tbody>
      </table>
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
