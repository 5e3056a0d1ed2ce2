/** Display helpers: amounts are fen, times ISO 8601 shown in the browser's zone (China time for the staff). */
export const yuan = (fen: number | null | undefined) => (fen === null || fen === undefined ? '—' : `¥${(fen / 100).toFixed(2)}`);

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** A datetime-local value (YYYY-MM-DDTHH:mm:ss, local time) for an instant. */
export function localInput(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** The instant of a datetime-local value (local time), as ISO 8601; undefined when empty or malformed. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

export const ORDER_STATUS: Record<string, string> = {
  PENDING_PAYMENT: '待付款',
  PAID: '待发货',
  SHIPPED: '已发货',
  COMPLETED: '已完成',
  CANCELLED: '已取消',
  REFUNDING: '退款中',
  REFUNDED: '已退款',
};

export const AFTER_SALE_STATUS: Record<string, string> = {
  REQUESTED: '待审核',
  APPROVED: '已同意',
  REJECTED: '已拒绝',
  REVOKED: '已撤销',
  RETURNING: '退货中',
  RECEIVED: '已收货',
  REPLACEMENT_SHIPPED: '换货已发出',
  COMPLETED: '已完成',
};

export const REFUND_STATUS: Record<string, string> = { PENDING: '处理中', SUCCEEDED: '已退款', FAILED: '失败' };
