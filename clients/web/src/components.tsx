/** Small pieces every page uses. */
import type { ReactNode } from 'react';
import { Redirect, useLocation } from 'wouter';
import { useAuth } from './auth';

export function ErrorMessage({ message }: { message?: string }) {
  return message ? <p className="error" role="alert">{message}</p> : null;
}

export function Loading() {
  return <p className="muted">加载中…</p>;
}

/** A product picture: the demo catalog's image paths are not served, so a tile with the title's first character. */
export function ProductTile({ title }: { title: string }) {
  return <div className="tile" aria-hidden="true">{title.slice(0, 1)}</div>;
}

/** Pages of the shopper's own data: signed out, go to sign-in and come back afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useAuth();
  const [location] = useLocation();
  if (!session) return <Redirect to={`/signin?next=${encodeURIComponent(location + window.location.search)}`} />;
  return <>{children}</>;
}

export const ORDER_STATUS: Record<string, string> = {
  PENDING_PAYMENT: '待付款',
  PAID: '已付款',
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
  RETURNING: '退货中',
  RECEIVED: '已收货',
  REPLACEMENT_SHIPPED: '换货已发出',
  COMPLETED: '已完成',
  REVOKED: '已撤销',
};
