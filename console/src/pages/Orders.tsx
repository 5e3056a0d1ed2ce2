/** Orders: search by number, shopper, status and time; an order's detail with history, payment, refunds; ship; after-sales decisions. */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useSearch } from 'wouter';
import { AFTER_SALE_STATUS, ORDER_STATUS, REFUND_STATUS, fromLocalInput, time, yuan } from '../format';
import { ApproveAfterSaleDocument, OrderDetailDocument, RejectAfterSaleDocument, ShipOrderDocument, StaffOrdersDocument, type OrderStatus, type StaffOrderFilter } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

export function OrdersPage() {
  // Coming from a shopper's page (会员/顾客), their orders: ?shopperId=
  const shopperId = new URLSearchParams(useSearch()).get('shopperId') ?? '';
  const [form, setForm] = useState({ orderNo: '', shopperId, status: '', from: '', to: '' });
  const [filter, setFilter] = useState<StaffOrderFilter>(shopperId ? { shopperId } : {});
  const [after, setAfter] = useState<string | null>(null);
  const [result] = useQuery({ query: StaffOrdersDocument, variables: { filter, first: 20, after } });
  const set = (key: keyof typeof form) => (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setForm({ ...form, [key]: event.target.value });
  function search(event: React.FormEvent) {
    event.preventDefault();
    setAfter(null);
    setFilter({
      orderNo: form.orderNo.trim() || undefined,
      shopperId: form.shopperId.trim() || undefined,
      status: (form.status || undefined) as OrderStatus | undefined,
      createdFrom: fromLocalInput(form.from),
      createdTo: fromLocalInput(form.to),
    });
  }
  const connection = result.data?.staffOrders;
  return (
    <section>
      <PageTitle>订单</PageTitle>
      <form className="filters" onSubmit={search} aria-label="订单搜索">
        <label>订单号<input name="orderNo" value={form.orderNo} onChange={set('orderNo')} /></label>
        <label>顾客 ID<input name="shopperId" value={form.shopperId} onChange={set('shopperId')} /></label>
        <label>
          状态
          <select name="status" value={form.status} onChange={set('status')}>
            <option value="">全部</option>
            {Object.entries(ORDER_STATUS).map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </select>
        </label>
        <label>下单时间从<input name="from" type="datetime-local" step="1" value={form.from} onChange={set('from')} /></label>
        <label>到<input name="to" type="datetime-local" step="1" value={form.to} onChange={set('to')} /></label>
        <button type="submit">搜索</button>
      </form>
      <ErrorNote error={result.error} />
      <Loading when={result.fetching && !connection} />
      {connection && (
        <>
          <table className="table" aria-label="订单列表">
            <thead>
              <tr><th>订单号</th><th>状态</th><th>顾客</th><th>金额</th><th>下单时间</th><th>付款时间</th></tr>
            </thead>
            <tbody>
              {connection.edges.map(({ node }) => (
                <tr key={node.id}>
                  <td><Link href={`/orders/${node.id}`}>{node.orderNo}</Link></td>
                  <td>{ORDER_STATUS[node.status] ?? node.status}</td>
                  <td>{node.shopperId}</td>
                  <td>{yuan(node.total)}</td>
                  <td>{time(node.createdAt)}</td>
                  <td>{time(node.paidAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!connection.edges.length && <div className="muted">没有符合条件的订单</div>}
          <div className="pager">
            {after && <button type="button" onClick={() => setAfter(null)}>第一页</button>}
            {connection.pageInfo.hasNextPage && <button type="button" onClick={() => setAfter(connection.pageInfo.endCursor ?? null)}>下一页</button>}
          </div>
        </>
      )}
    </section>
  );
}

export function OrderDetailPage({ id }: { id: string }) {
  const [result, refetch] = useQuery({ query: OrderDetailDocument, variables: { id } });
  const [shipping, ship] = useMutation(ShipOrderDocument);
  const [approving, approve] = useMutation(ApproveAfterSaleDocument);
  const [rejecting, reject] = useMutation(RejectAfterSaleDocument);
  const [carrier, setCarrier] = useState('');
  const [trackingNo, setTrackingNo] = useState('');
  const [note, setNote] = useState('');
  const order = result.data?.order;
  const reload = () => refetch({ requestPolicy: 'network-only' });
  if (result.fetching && !order) return <Loading when />;
  if (!order) return (<><ErrorNote error={result.error} /><div className="muted">订单不存在</div></>);

  async function submitShipment(event: React.FormEvent) {
    event.preventDefault();
    const answer = await ship({ id, carrier, trackingNo });
    if (!answer.error) reload();
  }
  async function decide(afterSaleId: string, approveIt: boolean) {
    const answer = approveIt ? await approve({ id: afterSaleId, note: note || null }) : await reject({ id: afterSaleId, note: note || null });
    if (!answer.error) reload();
  }

  return (
    <section>
      <PageTitle>订单 {order.orderNo}</PageTitle>
      <p><Link href="/orders">← 返回订单列表</Link></p>
      <ErrorNote error={result.error} />
      <dl className="facts">
        <dt>状态</dt><dd data-testid="order-status">{ORDER_STATUS[order.status] ?? order.status}</dd>
        <dt>顾客 ID</dt><dd>{order.shopperId}</dd>
        <dt>商品金额</dt><dd>{yuan(order.subtotal)}</dd>
        <dt>优惠</dt><dd>{yuan(order.discount)}</dd>
        <dt>运费</dt><dd>{yuan(order.shippingFee)}</dd>
        <dt>实付</dt><dd>{yuan(order.total)}</dd>
        <dt>已退款</dt><dd>{yuan(order.refundedAmount)}</dd>
        <dt>下单时间</dt><dd>{time(order.createdAt)}</dd>
        <dt>物流</dt><dd>{order.carrier ? `${order.carrier} ${order.trackingNo}` : '—'}</dd>
        <dt>收货地址</dt>
        <dd>{order.shippingAddress ? `${order.shippingAddress.contactName} ${order.shippingAddress.phone} ${order.shippingAddress.province}${order.shippingAddress.city}${order.shippingAddress.district}${order.shippingAddress.detail}` : '—'}</dd>
      </dl>

      <h2>商品</h2>
      <table className="table">
        <thead><tr><th>商品</th><th>规格</th><th>单价</th><th>数量</th></tr></thead>
        <tbody>
          {order.items.map((item, i) => (
            <tr key={i}><td>{item.title}</td><td>{item.skuName}</td><td>{yuan(item.unitPrice)}</td><td>{item.quantity}</td></tr>
          ))}
        </tbody>
      </table>

      {order.status === 'PAID' && (
        <form className="filters" onSubmit={submitShipment} aria-label="发货">
          <h2>发货</h2>
          <label>快递公司<input name="carrier" value={carrier} onChange={(e) => setCarrier(e.target.value)} required /></label>
          <label>运单号<input name="trackingNo" value={trackingNo} onChange={(e) => setTrackingNo(e.target.value)} required /></label>
          <button type="submit" disabled={shipping.fetching}>确认发货</button>
          <ErrorNote error={shipping.error} />
        </form>
      )}

      <h2>售后</h2>
      <ErrorNote error={approving.error ?? rejecting.error} />
      {order.afterSales.length ? (
        <table className="table" aria-label="售后">
          <thead><tr><th>类型</th><th>状态</th><th>金额</th><th>原因</th><th>申请时间</th><th>备注</th><th>操作</th></tr></thead>
          <tbody>
            {order.afterSales.map((afterSale) => (
              <tr key={afterSale.id}>
                <td>{afterSale.kind === 'REFUND' ? '退款' : '换货'}</td>
                <td data-testid={`after-sale-status-${afterSale.id}`}>{AFTER_SALE_STATUS[afterSale.status] ?? afterSale.status}</td>
                <td>{yuan(afterSale.amount)}</td>
                <td>{afterSale.reason}</td>
                <td>{time(afterSale.createdAt)}</td>
                <td>{afterSale.staffNote ?? ''}</td>
                <td>
                  {afterSale.status === 'REQUESTED' && afterSale.kind === 'REFUND' && (
                    <span className="actions">
                      <input aria-label="审核备注" placeholder="备注" value={note} onChange={(e) => setNote(e.target.value)} />
                      <button type="button" onClick={() => decide(afterSale.id, true)}>同意</button>
                      <button type="button" className="danger" onClick={() => decide(afterSale.id, false)}>拒绝</button>
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div className="muted">无售后申请</div>
      )}

      <h2>支付</h2>
      {order.payment ? (
        <dl className="facts">
          <dt>方式</dt><dd>{order.payment.method}</dd>
          <dt>状态</dt><dd>{order.payment.status}</dd>
          <dt>金额</dt><dd>{yuan(order.payment.amount)}</dd>
          <dt>付款时间</dt><dd>{time(order.payment.paidAt)}</dd>
          <dt>已退</dt><dd>{yuan(order.payment.refundedAmount)}</dd>
        </dl>
      ) : (
        <div className="muted">未支付</div>
      )}

      <h2>退款</h2>
      {order.refunds.length ? (
        <table className="table" aria-label="退款">
          <thead><tr><th>退款单号</th><th>金额</th><th>状态</th><th>原因</th><th>申请时间</th><th>完成时间</th></tr></thead>
          <tbody>
            {order.refunds.map((refund) => (
              <tr key={refund.refundNo}>
                <td>{refund.refundNo}</td><td>{yuan(refund.amount)}</td>
                <td>{REFUND_STATUS[refund.status] ?? refund.status}{refund.failureReason ? `（${refund.failureReason}）` : ''}</td>
                <td>{refund.reason}</td><td>{time(refund.createdAt)}</td><td>{time(refund.settledAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div className="muted">无退款</div>
      )}

      <h2>状态记录</h2>
      <table className="table" aria-label="状态记录">
        <thead><tr><th>时间</th><th>从</th><th>到</th><th>操作方</th><th>原因</th></tr></thead>
        <tbody>
          {order.statusHistory.map((change, i) => (
            <tr key={i}>
              <td>{time(change.at)}</td>
              <td>{change.from ? ORDER_STATUS[change.from] ?? change.from : '—'}</td>
              <td>{ORDER_STATUS[change.to] ?? change.to}</td>
              <td>{change.actor === 'STAFF' ? '员工' : change.actor === 'SHOPPER' ? '顾客' : '系统'}</td>
              <td>{change.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
