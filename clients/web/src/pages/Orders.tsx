import { useQuery } from 'urql';
import { Link } from 'wouter';
import { OrdersDocument } from '../gql/graphql';
import { formatYuan } from '../money';
import { describeError } from '../errors';
import { ErrorMessage, Loading, ORDER_STATUS, RequireAuth } from '../components';

export function OrdersPage() {
  return (
    <RequireAuth>
      <Orders />
    </RequireAuth>
  );
}

function Orders() {
  const [{ data, error }] = useQuery({ query: OrdersDocument, variables: { first: 20 }, requestPolicy: 'network-only' });
  if (error) return <ErrorMessage message={describeError(error)} />;
  if (!data) return <Loading />;
  const orders = data.orders.edges.map((edge) => edge.node);
  return (
    <section>
      <h1>我的订单</h1>
      {orders.length === 0 && <p className="empty">还没有订单。<Link href="/">去逛逛</Link></p>}
      <ul className="orders">
        {orders.map((order) => (
          <li key={order.id} className="card order-row">
            <Link href={`/orders/${order.id}`}>
              <span className="muted">订单号 {order.orderNo}</span>
              <span className="grow">{order.items.map((item) => `${item.title}（${item.skuName}）×${item.quantity}`).join('，')}</span>
              <span className="status">{ORDER_STATUS[order.status] ?? order.status}</span>
              <span className="price">{formatYuan(order.total)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
