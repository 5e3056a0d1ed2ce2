/**
 * Catalog: products and their SKUs (price, stock, barcode), shelf state; change a SKU's price or its available stock, put a
 * product on or off the shelf.
 */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { yuan } from '../format';
import { CatalogProductsDocument, SetProductOnShelfDocument, UpdateSkuPriceDocument, UpdateSkuStockDocument } from '../gql/graphql';
import { ErrorNote, Loading, PageTitle } from '../ui';

export function CatalogPage() {
  const [keyword, setKeyword] = useState('');
  const [filter, setFilter] = useState<{ keyword?: string }>({});
  const [after, setAfter] = useState<string | null>(null);
  const [result] = useQuery({ query: CatalogProductsDocument, variables: { filter, first: 20, after } });
  const [shelfResult, setOnShelf] = useMutation(SetProductOnShelfDocument);
  const connection = result.data?.products;
  return (
    <section>
      <PageTitle>商品</PageTitle>
      <form className="filters" aria-label="商品搜索" onSubmit={(e) => { e.preventDefault(); setAfter(null); setFilter(keyword.trim() ? { keyword: keyword.trim() } : {}); }}>
        <label>关键词<input name="keyword" value={keyword} onChange={(e) => setKeyword(e.target.value)} /></label>
        <button type="submit">搜索</button>
      </form>
      <ErrorNote error={result.error ?? shelfResult.error} />
      <Loading when={result.fetching && !connection} />
      {connection?.edges.map(({ node: product }) => (
        <div key={product.id} className="card" data-testid={`product-${product.id}`}>
          <div className="card-head">
            <strong>{product.title}</strong>
            <span className={product.onShelf ? 'tag ok' : 'tag'}>{product.onShelf ? '在售' : '已下架'}</span>
            <button type="button" className="link" onClick={() => setOnShelf({ id: product.id, onShelf: !product.onShelf })}>
              {product.onShelf ? '下架' : '上架'}
            </button>
          </div>
          <table className="table">
            <thead><tr><th>SKU</th><th>规格</th><th>价格</th><th>库存（可售）</th><th>条码</th><th>改价</th><th>改库存</th></tr></thead>
            <tbody>
              {product.skus.map((sku) => (
                <tr key={sku.id}>
                  <td>{sku.id}</td><td>{sku.name}</td>
                  <td data-testid={`sku-price-${sku.id}`}>{yuan(sku.price)}</td>
                  <td data-testid={`sku-stock-${sku.id}`}>{sku.stock}</td><td>{sku.barcode ?? '—'}</td>
                  <td><PriceEditor skuId={sku.id} price={sku.price} /></td>
                  <td><StockEditor skuId={sku.id} stock={sku.stock} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {connection && (
        <div className="pager">
          {after && <button type="button" onClick={() => setAfter(null)}>第一页</button>}
          {connection.pageInfo.hasNextPage && <button type="button" onClick={() => setAfter(connection.pageInfo.endCursor ?? null)}>下一页</button>}
        </div>
      )}
    </section>
  );
}

/** Price in yuan (two decimals) → fen; the API checks the range and answers BAD_USER_INPUT past it. */
function PriceEditor({ skuId, price }: { skuId: string; price: number }) {
  const [value, setValue] = useState((price / 100).toFixed(2));
  const [invalid, setInvalid] = useState(false);
  const [result, update] = useMutation(UpdateSkuPriceDocument);
  async function save(event: React.FormEvent) {
    event.preventDefault();
    const fen = Math.round(Number(value) * 100);
    setInvalid(!/^\d+(\.\d{1,2})?$/.test(value.trim()) || !Number.isFinite(fen));
    if (!/^\d+(\.\d{1,2})?$/.test(value.trim())) return;
    await update({ id: skuId, price: fen });
  }
  return (
    <form className="inline" onSubmit={save} aria-label={`SKU ${skuId} 改价`}>
      <input aria-label={`SKU ${skuId} 新价格（元）`} value={value} onChange={(e) => setValue(e.target.value)} size={8} />
      <button type="submit" disabled={result.fetching}>保存</button>
      {invalid && <span className="error-inline">请输入金额，如 12.50</span>}
      {result.data && !result.error && <span className="ok-inline">已保存</span>}
      <ErrorNote error={result.error} />
    </form>
  );
}

/**
 * The units available to buy (absolute): units held by unpaid orders and units sold are not part of it and stay as they
 * are (docs/stock-and-pricing.md); the ledger records the change.
 */
function StockEditor({ skuId, stock }: { skuId: string; stock: number }) {
  const [value, setValue] = useState(String(stock));
  const [invalid, setInvalid] = useState(false);
  const [result, update] = useMutation(UpdateSkuStockDocument);
  async function save(event: React.FormEvent) {
    event.preventDefault();
    const ok = /^\d{1,9}$/.test(value.trim());
    setInvalid(!ok);
    if (ok) await update({ id: skuId, stock: Number(value.trim()) });
  }
  return (
    <form className="inline" onSubmit={save} aria-label={`SKU ${skuId} 改库存`}>
      <input aria-label={`SKU ${skuId} 可售库存（件）`} value={value} onChange={(e) => setValue(e.target.value)} size={6} inputMode="numeric" />
      <button type="submit" disabled={result.fetching}>保存</button>
      {invalid && <span className="error-inline">请输入 0 或正整数</span>}
      {result.data && !result.error && <span className="ok-inline">已保存</span>}
      <ErrorNote error={result.error} />
    </form>
  );
}
