import { useSearch } from 'wouter';
import { ProductGrid } from './ProductGrid';

export function SearchPage() {
  const keyword = new URLSearchParams(useSearch()).get('q')?.trim() ?? '';
  return (
    <section>
      <h1>搜索：{keyword}</h1>
      {keyword ? <ProductGrid filter={{ keyword, onShelf: true }} /> : <p className="empty">请输入要搜索的商品</p>}
    </section>
  );
}
