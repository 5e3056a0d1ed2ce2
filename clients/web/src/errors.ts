/**
 * Server errors in words a shopper reads: the API's messages are English and meant for developers, so the storefront
 * shows Chinese text chosen by `extensions.code` and `extensions.reason` (platform/errors.ts), with a per-action
 * wording where the same code means something specific (a CONFLICT when adding to the cart is a stock problem).
 */
import type { CombinedError } from 'urql';

const BY_REASON: Record<string, string> = {
  CODE_NOT_FOUND: '优惠码不存在，请检查后重试',
  CODE_USED: '该优惠码已被使用',
  CODE_REDEEMED: '该优惠码已被使用',
  CODE_DISABLED: '该优惠码已停用',
  CODE_EXPIRED: '该优惠码已过期',
  CODE_INVALID: '优惠码无效',
  TEMPLATE_NOT_FOUND: '优惠券不存在',
  INACTIVE: '该优惠券已停止发放',
  NOT_CLAIMABLE: '该优惠券只能通过优惠码兑换',
  NOT_STARTED: '该优惠券尚未开始领取',
  ENDED: '该优惠券活动已结束',
  SOLD_OUT: '优惠券已被领完',
  LIMIT_REACHED: '已达到该优惠券的领取上限',
  OUT_OF_STOCK: '商品库存不足',
  LINES_UNAVAILABLE: '部分商品已失效或库存不足，请返回购物车调整',
  PRICE_CHANGED: '商品价格已变化，请重新确认订单',
  CART_CHANGED: '购物车已变化，请重新确认订单',
  TOO_MANY_UNPAID_ORDERS: '待支付订单过多，请先支付或取消已有订单',
  ORDER_TOTAL_TOO_LARGE: '订单金额超出上限',
  PAYMENT_METHOD_UNAVAILABLE: '该支付方式暂不可用，请选择其他方式',
  PAYMENT_DEADLINE_PASSED: '订单已超过支付期限',
  INSUFFICIENT_BALANCE: '余额不足',
  AFTER_SALES_WINDOW_CLOSED: '已超过售后期限',
  REQUEST_OPEN: '该订单已有处理中的售后申请',
  NOT_REFUNDABLE: '该订单不能申请退款',
  ALREADY_CANCELLED: '订单已取消',
};

const BY_CODE: Record<string, string> = {
  UNAUTHENTICATED: '请先登录',
  FORBIDDEN: '没有权限进行此操作',
  BAD_USER_INPUT: '填写的内容有误，请检查后重试',
  NOT_FOUND: '找不到相关内容',
  CONFLICT: '操作未能完成，请刷新后重试',
  RATE_LIMITED: '操作太频繁，请稍后再试',
  INTERNAL_SERVER_ERROR: '服务器开小差了，请稍后再试',
};

/** Chinese text for an error; `overrides` by code (e.g. `{ UNAUTHENTICATED: '账号或密码错误' }`) win over the defaults. */
export function describeError(error: CombinedError | undefined, overrides: Record<string, string> = {}): string | undefined {
  if (!error) return undefined;
  if (error.networkError && error.graphQLErrors.length === 0) return '网络连接失败，请检查网络后重试';
  const first = error.graphQLErrors[0];
  const code = String(first?.extensions?.code ?? '');
  const reason = String(first?.extensions?.reason ?? '');
  if (reason === 'RATE_LIMITED' || code === 'RATE_LIMITED') {
    const seconds = Number(first?.extensions?.retryAfterSeconds);
    return Number.isFinite(seconds) && seconds > 0 ? `操作太频繁，请 ${Math.ceil(seconds)} 秒后再试` : BY_CODE.RATE_LIMITED;
  }
  return BY_REASON[reason] ?? overrides[code] ?? BY_CODE[code] ?? '操作失败，请稍后再试';
}
