/**
 * The order page: the order's live status (the subscription's first message is the order as it is now, then one
 * per change) and, while it waits for payment, a pay button that runs WeChat Pay through the kit. Opened as
 * `/pages/order/order?id=<orderId>` (e.g. from checkout's `wx.redirectTo`).
 */
import type { OrderViewFragment } from '../../src/gql/graphql';
import type { Shop } from '../../src/index';
import { OrderStatusDocument } from '../../src/gql/graphql';

/** The part of the mini-program's `Page` / `getApp` used here (module-scoped: no typings package needed). */
interface PageInstance<TData> {
  data: TData;
  setData(patch: Partial<TData>): void;
}
declare function Page<TData, TMethods>(options: { data: TData } & TMethods & ThisType<PageInstance<TData> & TMethods>): void;
declare function getApp<T>(): T;

const STATUS_TEXT: Record<string, string> = {
  PENDING_PAYMENT: '待付款',
  PAID: '已付款，待发货',
  SHIPPED: '已发货',
  COMPLETED: '已完成',
  CANCELLED: '已取消',
  REFUNDING: '退款中',
  REFUNDED: '已退款',
};

/** Fen → "¥12.30". */
export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

interface OrderPageData {
  order: (OrderViewFragment & { totalText: string; statusText: string }) | null;
  paying: boolean;
  /** A line under the button: why paying did not finish, or that it is being confirmed. */
  message: string;
  error: string;
}

Page({
  data: { order: null, paying: false, message: '', error: '' } as OrderPageData,

  orderId: '',
  /** Stops this page's subscription (per instance: the same page may be open twice in the page stack). */
  stopWatching: null as (() => void) | null,

  shop(): Shop {
    return getApp<{ shop: Shop }>().shop;
  },

  onLoad(query: { id?: string }) {
    this.orderId = query.id ?? '';
    if (!this.orderId) return this.setData({ error: '订单不存在' });
    this.watch();
  },

  onUnload() {
    this.stopWatching?.();
    this.stopWatching = null;
  },

  watch() {
    this.stopWatching?.();
    this.stopWatching = this.shop().subscriptions.subscribe(OrderStatusDocument, { orderId: this.orderId }, {
      next: ({ orderStatusChanged: order }) => {
        this.setData({ order: { ...order, totalText: yuan(order.total), statusText: STATUS_TEXT[order.status] ?? order.status }, error: '' });
      },
      error: (error) => {
        this.setData({ error: error.code === 'NOT_FOUND' ? '订单不存在' : error.code === 'UNAUTHENTICATED' ? '请先登录' : '网络不稳定，请稍后重试' });
      },
    });
  },

  /** bindtap of the pay button. */
  async onPay() {
    if (this.data.paying) return;
    this.setData({ paying: true, message: '' });
    const outcome = await this.shop().pay(this.orderId);
    // The status itself arrives over the subscription (watch); the outcome only explains what happened.
    const message = {
      PAID: '支付成功',
      CANCELLED: '已取消支付',
      CONFIRMING: '支付确认中，请稍候',
      FAILED: outcome.status === 'FAILED' && outcome.error.code === 'CONFLICT' ? '订单状态已变化，请刷新' : '支付失败，请重试',
    }[outcome.status];
    this.setData({ paying: false, message });
  },
});
