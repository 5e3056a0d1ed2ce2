import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { Link, useLocation } from 'wouter';
import {
  CartDocument,
  ClaimCouponDocument,
  CouponsDocument,
  RedeemCouponCodeDocument,
  RemoveCartItemsDocument,
  UpdateCartItemDocument,
} from '../gql/graphql';
import { formatYuan } from '../money';
import { describeError } from '../errors';
import { ErrorMessage, Loading, RequireAuth } from '../components';

const INVALID: Record<string, string> = { OFF_SHELF: '已下架', OUT_OF_STOCK: '已售罄', UNAVAILABLE: '已失效' };

export function CartPage() {
  return (
    <RequireAuth>
      <Cart />
    </RequireAuth>
  );
}

function Cart() {
  const [{ data, error }, refetch] = useQuery({ query: CartDocument });
  const [updated, update] = useMutation(UpdateCartItemDocument);
  const [removed, remove] = useMutation(RemoveCartItemsDocument);
  const [, navigate] = useLocation();
  if (error) return <ErrorMessage message={describeError(error)} />;
  if (!data) return <Loading />;
  const cart = data.cart;
  const price = cart.price;
  const selected = cart.items.filter((item) => item.selected && item.valid);
  return (
    <div className="columns">
      <section className="grow">
        <h1>购物车</h1>
        {cart.items.length === 0 && <p className="empty">购物车是空的。<Link href="/">去逛逛</Link></p>}
        <ErrorMessage message={describeError(updated.error ?? removed.error, { CONFLICT: '库存不足，无法调整数量' })} />
        <ul className="lines">
          {cart.items.map((item) => (
            <li key={item.id} className={item.valid ? 'line' : 'line invalid'}>
              <input
                type="checkbox"
                aria-label={`选择 ${item.sku.product.title}`}
                checked={item.selected}
                disabled={!item.valid}
                onChange={(e) => void update({ id: item.id, selected: e.target.checked })}
              />
              <div className="grow">
                <Link href={`/products/${item.sku.product.id}`} className="title">{item.sku.product.title}</Link>
                <span className="muted"> {item.sku.name}</span>
                {item.invalidReason && <span className="badge">{INVALID[item.invalidReason]}</span>}
                {item.exceedsStock && <span className="badge">库存不足</span>}
              </div>
              <span className="price">{formatYuan(item.unitPrice ?? item.sku.price)}</span>
              <div className="stepper">
                <button aria-label="减少" disabled={item.quantity <= 1} onClick={() => void update({ id: item.id, quantity: item.quantity - 1 })}>−</button>
                <span aria-label="数量">{item.quantity}</span>
                <button aria-label="增加" onClick={() => void update({ id: item.id, quantity: item.quantity + 1 })}>+</button>
              </div>
              <button className="link" onClick={() => void remove({ ids: [item.id] })}>删除</button>
            </li>
          ))}
        </ul>
        <Coupons onChange={() => refetch({ requestPolicy: 'network-only' })} />
      </section>
      <aside className="card summary" aria-label="价格明细">
        <h2>价格明细</h2>
        <dl>
          <dt>商品小计</dt><dd>{formatYuan(price.subtotal)}</dd>
          <dt>优惠{price.bestCoupon ? `（${price.bestCoupon.name}）` : ''}</dt><dd>-{formatYuan(price.discount)}</dd>
          <dt>运费</dt><dd>{formatYuan(price.shippingFee)}</dd>
          <dt className="total">合计</dt><dd className="total" data-testid="cart-total">{formatYuan(price.total)}</dd>
        </dl>
        <button className="primary" disabled={selected.length === 0} onClick={() => navigate('/checkout')}>
          去结算（{cart.selectedQuantity} 件）
        </button>
      </aside>
    </div>
  );
}

/** Coupons to claim, a redeem code, and the shopper's own coupons; the cart's price check picks the best. */
function Coupons({ onChange }: { onChange: () => void }) {
  const [{ data, error }, refetch] = useQuery({ query: CouponsDocument });
  const [claimed, claim] = useMutation(ClaimCouponDocument);
  const [redeemed, redeem] = useMutation(RedeemCouponCodeDocument);
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<string>();
  // The refusal of the last coupon action only: a later success clears it.
  const [failure, setFailure] = useState<CombinedError>();
  const changed = (text: string) => {
    setMessage(text);
    refetch({ requestPolicy: 'network-only' });
    onChange();
  };
  const onRedeem = async (event: FormEvent) => {
    event.preventDefault();
    setMessage(undefined);
    const result = await redeem({ code: code.trim() });
    setFailure(result.error);
    if (result.data) {
      setCode('');
      changed(`已兑换：${result.data.redeemCouponCode.name}`);
    }
  };
  return (
    <section className="card coupons" aria-label="优惠券">
      <h2>优惠券</h2>
      <ErrorMessage message={describeError(error)} />
      <ul className="coupon-list">
        {data?.claimableCoupons.map((template) => (
          <li key={template.id} className="coupon">
            <strong>{template.name}</strong>
            <span className="muted">{template.minSpend > 0 ? `满${formatYuan(template.minSpend)}可用` : '无门槛'}</span>
            <button
              className="secondary"
              disabled={claimed.fetching}
              onClick={async () => {
                setMessage(undefined);
                const result = await claim({ templateId: template.id });
                setFailure(result.error);
                if (result.data) changed(`已领取：${result.data.claimCoupon.name}`);
              }}
            >
              领取
            </button>
          </li>
        ))}
      </ul>
      <form className="inline" onSubmit={onRedeem}>
        <input aria-label="优惠码" placeholder="输入优惠码" value={code} onChange={(e) => setCode(e.target.value)} required />
        <button type="submit" className="secondary" disabled={redeemed.fetching}>兑换</button>
      </form>
      <ErrorMessage message={describeError(failure)} />
      {message && <p className="success" role="status">{message}</p>}
      {data && (
        <p className="muted">
          我的可用优惠券：{data.myCoupons.length === 0 ? '暂无' : data.myCoupons.map((c) => c.name).join('、')}
        </p>
      )}
    </section>
  );
}
