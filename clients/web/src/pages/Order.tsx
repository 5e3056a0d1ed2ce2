import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { Link, useParams } from 'wouter';
import {
  CancelOrderDocument,
  OrderDetailDocument,
  OrderStatusChangedDocument,
  PaymentMethodsDocument,
  PayOrderDocument,
  RequestRefundDocument,
  type OrderViewFragment,
  type PaymentMethodType,
} from '../gql/graphql';
import { formatYuan } from '../money';
import { describeError } from '../errors';
import { refreshSession } from '../client';
import { AFTER_SALE_STATUS, ErrorMessage, Loading, ORDER_STATUS, RequireAuth } from '../components';

export function OrderPage() {
  return (
    <RequireAuth>
      <Order />
    </RequireAuth>
  );
}

/**
 * The order, its live status (the `orderStatusChanged` subscription: the current state, then every change), paying
 * it, and after-sales. The subscription's answers replace the fetched order, so a payment shows up without a reload.
 */
function Order() {
  const { id } = useParams<{ id: string }>();
  const [fetched, refetch] = useQuery({ query: OrderDetailDocument, variables: { id } });
  const [live, resubscribe] = useSubscription({ query: OrderStatusChangedDocument, variables: { orderId: id } });
  // A refused socket (4401: the access token expired) is subscribed again once the session is refreshed.
  const [retries, setRetries] = useState(0);
  useEffect(() => {
    if (!live.error || retries >= 3) return;
    void refreshSession().then((ok) => {
      setRetries((n) => n + 1);
      if (ok) resubscribe();
    });
  }, [live.error, retries, resubscribe]);

  // Whichever answered last is the order shown: a push (status) or a fetch (after an after-sales request).
  const [latest, setLatest] = useState<OrderViewFragment>();
  useEffect(() => {
    if (fetched.data?.order) setLatest(fetched.data.order);
  }, [fetched.data]);
  useEffect(() => {
    if (live.data) setLatest(live.data.orderStatusChanged);
  }, [live.data]);

  if (fetched.error) return <ErrorMessage message={describeError(fetched.error)} />;
  const order = latest;
  if (!order) return fetched.data ? <p className="empty">订单不存在。<Link href="/orders">我的订单</Link></p> : <Loading />;
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <div className="columns">
      <section className="grow">
        <h1>订单详情</h1>
        <div className="card">
          <p>
            订单号 {order.orderNo}
            <span className="status" data-testid="order-status">{ORDER_STATUS[order.status] ?? order.status}</span>
            <span className={live.data ? 'live on' : 'live'} title="订单状态实时更新">{live.data ? '实时' : '连接中'}</span>
          </p>
          {order.shippingAddress && (
            <p className="muted">
              收货信息：{order.shippingAddress.contactName} {order.shippingAddress.phone} {order.shippingAddress.province}
              {order.shippingAddress.city}{order.shippingAddress.district}{order.shippingAddress.detail}
            </p>
          )}
          <ul className="lines">
            {order.items.map((item, index) => (
              <li key={index} className="line">
                <span className="grow">{item.title} <span className="muted">{item.skuName}</span></span>
                <span>{formatYuan(item.unitPrice)} × {item.quantity}</span>
              </li>
            ))}
          </ul>
          <dl>
            <dt>商品小计</dt><dd>{formatYuan(order.subtotal)}</dd>
            <dt>优惠</dt><dd>-{formatYuan(order.discount)}</dd>
            <dt>运费</dt><dd>{formatYuan(order.shippingFee)}</dd>
            <dt className="total">实付</dt><dd className="total">{formatYuan(order.total)}</dd>
          </dl>
          {order.statusHistory.length > 0 && (
            <ol className="history" aria-label="状态记录">
              {order.statusHistory.map((change, index) => (
                <li key={index}>{change.from ? `${ORDER_STATUS[change.from] ?? change.from} → ` : ''}{ORDER_STATUS[change.to] ?? change.to}</li>
              ))}
            </ol>
          )}
        </div>
        {order.afterSales.length > 0 && (
          <section className="card" aria-label="售后记录">
            <h2>售后记录</h2>
            <ul>
              {order.afterSales.map((afterSale) => (
                <li key={afterSale.id}>
                  {afterSale.kind === 'REFUND' ? '退款' : '换货'} {formatYuan(afterSale.amount)}：{afterSale.reason}
                  <span className="status">{AFTER_SALE_STATUS[afterSale.status] ?? afterSale.status}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </section>
      <aside className="summary">
        {order.status === 'PENDING_PAYMENT' && <Pay order={order} onCancelled={reload} />}
        {['PAID', 'SHIPPED', 'COMPLETED'].includes(order.status) && <AfterSaleForm order={order} onDone={reload} />}
      </aside>
    </div>
  );
}

/**
 * Paying: choose a method, then the provider's cashier. Without merchant keys a development shop pays through the
 * payment sandbox (docs/payment.md): its cashier is the `sandboxPayUrl` the order's payment got, and confirming there
 * is what the shopper's phone does at WeChat Pay or Alipay. The order's new status then arrives by the subscription.
 */
function Pay({ order, onCancelled }: { order: OrderViewFragment; onCancelled: () => void }) {
  const [methods] = useQuery({ query: PaymentMethodsDocument, variables: { orderId: order.id } });
  const [method, setMethod] = useState<PaymentMethodType>();
  const [paying, pay] = useMutation(PayOrderDocument);
  const [cancelled, cancel] = useMutation(CancelOrderDocument);
  const [cashier, setCashier] = useState<{ url: string; amount: number; method: PaymentMethodType }>();
  const [cashierState, setCashierState] = useState<'idle' | 'paying' | 'paid'>('idle');
  const [cashierError, setCashierError] = useState<string>();
  const available = methods.data?.paymentMethods.filter((m) => m.available && (m.type === 'WECHAT' || m.type === 'ALIPAY' || m.type === 'BALANCE')) ?? [];
  const chosen = method ?? available[0]?.type;

  const startPayment = async () => {
    if (!chosen) return;
    const result = await pay({ orderId: order.id, method: chosen });
    const payload = result.data?.payOrder;
    if (payload?.sandboxPayUrl) setCashier({ url: payload.sandboxPayUrl, amount: payload.payment.amount, method: chosen });
  };
  const confirmAtCashier = async () => {
    if (!cashier) return;
    setCashierState('paying');
    setCashierError(undefined);
    // The cashier is forwarded by this router (same origin): its path, whatever host the URL names.
    const url = new URL(cashier.url, window.location.origin);
    try {
      const response = await fetch(`${url.pathname}${url.search}`, { method: 'POST' });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { message?: string };
        setCashierError(body.message === 'ORDER_EXPIRED' || body.message === 'TRADE_EXPIRED' ? '支付已超时，请重新下单' : '支付未完成，请重试');
        setCashierState('idle');
        return;
      }
      setCashierState('paid');
    } catch {
      setCashierError('网络连接失败，请重试');
      setCashierState('idle');
    }
  };
  return (
    <section className="card" aria-label="支付">
      <h2>支付订单</h2>
      {order.expiresAt && <p className="muted">请在 {new Date(order.expiresAt).toLocaleString('zh-CN')} 前完成支付</p>}
      <ErrorMessage message={describeError(methods.error)} />
      {!cashier && (
        <>
          <div role="radiogroup" aria-label="支付方式" className="methods">
            {methods.data?.paymentMethods.map((m) => (
              <label key={m.type} className={m.available ? '' : 'muted'}>
                <input type="radio" name="method" disabled={!available.includes(m)} checked={m.type === chosen} onChange={() => setMethod(m.type)} />
                {m.title}
                {m.sandbox && <span className="badge">沙箱</span>}
                {m.balance != null && <span className="muted">（余额 {formatYuan(m.balance)}）</span>}
                {!m.available && m.unavailableReason && <span className="muted">（不可用）</span>}
              </label>
            ))}
          </div>
          <ErrorMessage message={describeError(paying.error)} />
          <button className="primary" disabled={!chosen || paying.fetching} onClick={() => void startPayment()}>
            立即支付 {formatYuan(order.total)}
          </button>
          <ErrorMessage message={describeError(cancelled.error)} />
          <button className="link" disabled={cancelled.fetching} onClick={() => void cancel({ id: order.id, reason: '买家取消' }).then(onCancelled)}>
            取消订单
          </button>
        </>
      )}
      {cashier && (
        <div className="cashier" aria-label="收银台">
          <h3>{cashier.method === 'ALIPAY' ? '支付宝' : '微信支付'}收银台（沙箱）</h3>
          <p className="price big">{formatYuan(cashier.amount)}</p>
          <p className="muted">开发环境的模拟收银台，不会产生真实扣款。</p>
          <ErrorMessage message={cashierError} />
          {cashierState === 'paid' ? (
            <p className="success" role="status">支付成功，等待订单确认…</p>
          ) : (
            <button className="primary" disabled={cashierState === 'paying'} onClick={() => void confirmAtCashier()}>确认支付</button>
          )}
        </div>
      )}
    </section>
  );
}

/** A refund request for the whole order (after-sales; staff approve it in the console). */
function AfterSaleForm({ order, onDone }: { order: OrderViewFragment; onDone: () => void }) {
  const open = order.afterSales.some((a) => ['REQUESTED', 'APPROVED', 'RETURNING', 'RECEIVED'].includes(a.status));
  const [reason, setReason] = useState('');
  const [amount, setAmount] = useState((order.total / 100).toFixed(2));
  const [state, request] = useMutation(RequestRefundDocument);
  const [done, setDone] = useState(false);
  if (open || done) return <section className="card"><h2>申请售后</h2><p className="success" role="status">售后申请已提交，请等待商家处理</p></section>;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const fen = Math.round(Number(amount) * 100);
    const result = await request({ input: { orderId: order.id, reason: reason.trim(), amount: fen } });
    if (result.data) {
      setDone(true);
      onDone();
    }
  };
  return (
    <section className="card" aria-label="申请售后">
      <h2>申请售后</h2>
      <form className="form" onSubmit={submit}>
        <label>
          退款原因
          <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={200} />
        </label>
        <label>
          退款金额（元，最多 {formatYuan(order.total)}）
          <input name="amount" type="number" step="0.01" min="0.01" max={(order.total / 100).toFixed(2)} value={amount} onChange={(e) => setAmount(e.target.value)} required />
        </label>
        <ErrorMessage message={describeError(state.error)} />
        <button type="submit" className="primary" disabled={state.fetching}>提交申请</button>
      </form>
    </section>
  );
}
