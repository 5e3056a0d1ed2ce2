import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useLocation } from 'wouter';
import { AddAddressDocument, CartDocument, CouponsDocument, CreateOrderDocument, MeDocument, PreviewOrderDocument } from '../gql/graphql';
import { formatYuan } from '../money';
import { describeError } from '../errors';
import { ErrorMessage, Loading, RequireAuth } from '../components';

export function CheckoutPage() {
  return (
    <RequireAuth>
      <Checkout />
    </RequireAuth>
  );
}

/** The selected cart lines to an address: the server's preview (coupon applied), then the order. */
function Checkout() {
  const [cart] = useQuery({ query: CartDocument });
  const [me, refetchMe] = useQuery({ query: MeDocument });
  const [coupons] = useQuery({ query: CouponsDocument });
  const [chosenAddress, setChosenAddress] = useState<string>();
  const [couponId, setCouponId] = useState<string>('');
  const [adding, setAdding] = useState(false);
  const [created, create] = useMutation(CreateOrderDocument);
  const [, navigate] = useLocation();
  // One key per visit: a retried submit answers the same order.
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);

  const addresses = me.data?.me?.addresses ?? [];
  const addressId = chosenAddress ?? (addresses.find((a) => a.isDefault) ?? addresses[0])?.id;
  const cartItemIds = (cart.data?.cart.items ?? []).filter((item) => item.selected && item.valid).map((item) => item.id);
  const input = addressId && cartItemIds.length > 0 ? { cartItemIds, addressId, couponId: couponId || undefined } : undefined;
  const [preview] = useQuery({ query: PreviewOrderDocument, variables: { input: input! }, pause: !input, requestPolicy: 'network-only' });

  if (cart.error || me.error) return <ErrorMessage message={describeError(cart.error ?? me.error)} />;
  if (!cart.data || !me.data) return <Loading />;
  if (cartItemIds.length === 0) return <p className="empty">没有可结算的商品。<Link href="/cart">返回购物车</Link></p>;

  const submit = async () => {
    if (!input || !preview.data) return;
    const result = await create({ input: { ...input, expectedTotal: preview.data.previewOrder.total }, idempotencyKey });
    if (result.data) navigate(`/orders/${result.data.createOrder.id}`);
  };
  const p = preview.data?.previewOrder;
  return (
    <div className="columns">
      <section className="grow">
        <h1>确认订单</h1>
        <section className="card" aria-label="收货地址">
          <h2>收货地址</h2>
          {addresses.length === 0 && <p className="muted">还没有收货地址，请新增一个。</p>}
          <ul className="addresses">
            {addresses.map((address) => (
              <li key={address.id}>
                <label>
                  <input type="radio" name="address" checked={address.id === addressId} onChange={() => setChosenAddress(address.id)} />
                  {address.contactName} {address.phone} {address.province}{address.city}{address.district}{address.detail}
                  {address.isDefault && <span className="badge">默认</span>}
                </label>
              </li>
            ))}
          </ul>
          {adding ? (
            <AddressForm
              onDone={(id) => {
                setAdding(false);
                if (id) {
                  setChosenAddress(id);
                  refetchMe({ requestPolicy: 'network-only' });
                }
              }}
            />
          ) : (
            <button className="secondary" onClick={() => setAdding(true)}>新增收货地址</button>
          )}
        </section>
        <section className="card" aria-label="优惠券">
          <h2>优惠券</h2>
          <select aria-label="选择优惠券" value={couponId} onChange={(e) => setCouponId(e.target.value)}>
            <option value="">自动使用最优惠的券</option>
            {coupons.data?.myCoupons.map((coupon) => (
              <option key={coupon.id} value={coupon.id}>{coupon.name}</option>
            ))}
          </select>
        </section>
        <section className="card" aria-label="商品清单">
          <h2>商品清单</h2>
          {preview.fetching && !p && <Loading />}
          <ul className="lines">
            {p?.items.map((item, index) => (
              <li key={index} className="line">
                <span className="grow">{item.title} <span className="muted">{item.skuName}</span></span>
                <span>{formatYuan(item.unitPrice)} × {item.quantity}</span>
                <span className="price">{formatYuan(item.lineTotal)}</span>
              </li>
            ))}
          </ul>
        </section>
      </section>
      <aside className="card summary" aria-label="订单金额">
        <h2>订单金额</h2>
        <ErrorMessage message={describeError(preview.error)} />
        {p && (
          <dl>
            <dt>商品小计</dt><dd>{formatYuan(p.subtotal)}</dd>
            <dt>优惠{p.coupon ? `（${p.coupon.coupon.name}）` : ''}</dt><dd>-{formatYuan(p.discount)}</dd>
            <dt>运费</dt><dd>{formatYuan(p.shippingFee)}</dd>
            <dt className="total">应付</dt><dd className="total" data-testid="order-total">{formatYuan(p.total)}</dd>
          </dl>
        )}
        <ErrorMessage message={describeError(created.error)} />
        <button className="primary" disabled={!p || created.fetching} onClick={() => void submit()}>提交订单</button>
      </aside>
    </div>
  );
}

function AddressForm({ onDone }: { onDone: (id?: string) => void }) {
  const [state, add] = useMutation(AddAddressDocument);
  const [fields, setFields] = useState({ contactName: '', phone: '', province: '', city: '', district: '', detail: '' });
  const labels: [keyof typeof fields, string][] = [
    ['contactName', '收货人'],
    ['phone', '手机号'],
    ['province', '省份'],
    ['city', '城市'],
    ['district', '区县'],
    ['detail', '详细地址'],
  ];
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await add({ input: { ...fields, isDefault: false } });
    if (result.data) onDone(result.data.addAddress.id);
  };
  return (
    <form className="form" onSubmit={submit} aria-label="新增收货地址">
      {labels.map(([name, label]) => (
        <label key={name}>
          {label}
          <input name={name} value={fields[name]} onChange={(e) => setFields({ ...fields, [name]: e.target.value })} required />
        </label>
      ))}
      <ErrorMessage message={describeError(state.error)} />
      <div className="inline">
        <button type="submit" className="primary" disabled={state.fetching}>保存地址</button>
        <button type="button" className="secondary" onClick={() => onDone()}>取消</button>
      </div>
    </form>
  );
}
