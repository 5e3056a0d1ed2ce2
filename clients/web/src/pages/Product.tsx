import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link, useLocation, useParams } from 'wouter';
import { AddToCartDocument, ProductDetailDocument } from '../gql/graphql';
import { formatYuan } from '../money';
import { describeError } from '../errors';
import { useAuth } from '../auth';
import { ErrorMessage, Loading, ProductTile } from '../components';

/** Product detail: choose a SKU and a quantity, add to the cart. */
export function ProductPage() {
  const { id } = useParams<{ id: string }>();
  const [{ data, error }] = useQuery({ query: ProductDetailDocument, variables: { id } });
  const [skuId, setSkuId] = useState<string>();
  const [quantity, setQuantity] = useState(1);
  const [added, add] = useMutation(AddToCartDocument);
  const [done, setDone] = useState(false);
  const session = useAuth();
  const [location, navigate] = useLocation();

  if (error) return <ErrorMessage message={describeError(error)} />;
  if (!data) return <Loading />;
  const product = data.product;
  if (!product) return <p className="empty">商品不存在或已下架。<Link href="/">去逛逛</Link></p>;
  const sku = product.skus.find((s) => s.id === skuId);

  const addToCart = async () => {
    if (!session) return navigate(`/signin?next=${encodeURIComponent(location)}`);
    if (!sku) return;
    setDone(false);
    const result = await add({ skuId: sku.id, quantity });
    if (result.data) setDone(true);
  };
  // A stock conflict is the usual refusal here: say how many are left.
  const addError = describeError(added.error, { CONFLICT: sku ? `库存不足，该规格仅剩 ${sku.stock} 件` : '库存不足' });
  return (
    <article className="product">
      <ProductTile title={product.title} />
      <div className="grow">
        <h1>{product.title}</h1>
        <p className="muted">{[product.brand?.name, product.category?.name].filter(Boolean).join(' · ')}</p>
        <p className="price big">{sku ? formatYuan(sku.price) : `${formatYuan(product.minPrice)} 起`}</p>
        {product.description && <p>{product.description}</p>}
        <h2>选择规格</h2>
        <div className="skus" role="radiogroup" aria-label="规格">
          {product.skus.map((s) => (
            <button
              key={s.id}
              role="radio"
              aria-checked={s.id === skuId}
              className={s.id === skuId ? 'sku chosen' : 'sku'}
              disabled={!s.available}
              onClick={() => {
                setSkuId(s.id);
                setDone(false);
              }}
            >
              {s.name}
              {!s.available && '（缺货）'}
            </button>
          ))}
        </div>
        {sku && <p className="muted">库存 {sku.stock} 件</p>}
        <label className="quantity">
          数量
          <input type="number" min={1} value={quantity} onChange={(e) => setQuantity(Math.max(1, Number(e.target.value) || 1))} />
        </label>
        <ErrorMessage message={addError} />
        {done && (
          <p className="success" role="status">
            已加入购物车。<Link href="/cart">去购物车结算</Link>
          </p>
        )}
        <button className="primary" disabled={!sku || added.fetching} onClick={() => void addToCart()}>
          {sku ? '加入购物车' : '请先选择规格'}
        </button>
      </div>
    </article>
  );
}
