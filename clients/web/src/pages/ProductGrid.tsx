import { useState } from 'react';
import { useQuery } from 'urql';
import { Link } from 'wouter';
import { ProductListDocument, type ProductFilter } from '../gql/graphql';
import { formatYuan } from '../money';
import { describeError } from '../errors';
import { ErrorMessage, Loading, ProductTile } from '../components';

const PAGE = 12;

/** A page of products matching `filter`, with "more" following the connection's cursor. */
export function ProductGrid({ filter }: { filter: ProductFilter }) {
  const [after, setAfter] = useState<string[]>([]);
  const key = JSON.stringify(filter);
  return (
    <div key={key}>
      {[undefined, ...after].map((cursor) => (
        <ProductPage key={cursor ?? 'first'} filter={filter} after={cursor} onMore={(next) => setAfter((list) => (list.includes(next) ? list : [...list, next]))} isLast={cursor === after[after.length - 1]} />
      ))}
    </div>
  );
}

function ProductPage({ filter, after, onMore, isLast }: { filter: ProductFilter; after?: string; onMore: (cursor: string) => void; isLast: boolean }) {
  const [{ data, error, fetching }] = useQuery({ query: ProductListDocument, variables: { filter, first: PAGE, after } });
  if (error) return <ErrorMessage message={describeError(error)} />;
  if (!data) return fetching ? <Loading /> : null;
  const { edges, pageInfo } = data.products;
  if (!after && edges.length === 0) return <p className="empty">没有找到相关商品</p>;
  return (
    <>
      <ul className="grid">
        {edges.map(({ node }) => (
          <li key={node.id} className="product-card">
            <Link href={`/products/${node.id}`}>
              <ProductTile title={node.title} />
              <span className="title">{node.title}</span>
              <span className="price">{formatYuan(node.minPrice)} 起</span>
            </Link>
          </li>
        ))}
      </ul>
      {isLast && pageInfo.hasNextPage && pageInfo.endCursor && (
        <button className="secondary more" onClick={() => onMore(pageInfo.endCursor!)}>加载更多</button>
      )}
    </>
  );
}
