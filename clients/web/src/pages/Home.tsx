import { useQuery } from 'urql';
import { Link, useSearch } from 'wouter';
import { CategoriesDocument } from '../gql/graphql';
import { describeError } from '../errors';
import { ErrorMessage, Loading } from '../components';
import { ProductGrid } from './ProductGrid';

/** Categories (two levels) beside the products of the chosen one; all products when none is chosen. */
export function HomePage() {
  const categoryId = new URLSearchParams(useSearch()).get('category') ?? undefined;
  const [{ data, error }] = useQuery({ query: CategoriesDocument });
  const all = data?.categories.flatMap((c) => [c, ...c.children]) ?? [];
  const chosen = all.find((c) => c.id === categoryId);
  return (
    <div className="columns">
      <aside className="categories" aria-label="商品分类">
        <h2>分类</h2>
        <ErrorMessage message={describeError(error)} />
        {!data && !error && <Loading />}
        <ul>
          <li><Link href="/" className={categoryId ? '' : 'active'}>全部商品</Link></li>
          {data?.categories.map((category) => (
            <li key={category.id}>
              <Link href={`/?category=${category.id}`} className={category.id === categoryId ? 'active' : ''}>{category.name}</Link>
              {category.children.length > 0 && (
                <ul>
                  {category.children.map((child) => (
                    <li key={child.id}>
                      <Link href={`/?category=${child.id}`} className={child.id === categoryId ? 'active' : ''}>{child.name}</Link>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </aside>
      <section className="grow">
        <h1>{chosen ? chosen.name : '全部商品'}</h1>
        <ProductGrid filter={{ categoryId, onShelf: true }} />
      </section>
    </div>
  );
}
