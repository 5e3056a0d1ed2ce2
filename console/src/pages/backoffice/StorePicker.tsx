/**
 * The stores the signed-in staff member may act for, as a picker: the API's `stores` list answers a store account with
 * its own stores only, so another store is never offered (and the API refuses it anyway). Disabled stores are left out:
 * nobody can act for them. Past one page of stores the code is typed (the first page suggested).
 */
import { useEffect } from 'react';
import { useQuery } from 'urql';
import { BackOfficeStoresDocument } from '../../gql/graphql';
import { ErrorNote } from '../../ui';

export function StorePicker({ value, onChange, allowAll }: { value: string; onChange: (code: string) => void; allowAll?: boolean }) {
  const [result] = useQuery({ query: BackOfficeStoresDocument, variables: { filter: { status: 'ACTIVE' }, first: 100 } });
  const stores = result.data?.stores.edges.map(({ node }) => node) ?? [];
  useEffect(() => {
    // Start on the first store when the caller gave none (or one no longer offered).
    const offered = !result.data?.stores.pageInfo.hasNextPage;
    if (!allowAll && stores.length && (!value || (offered && !stores.some((store) => store.code === value)))) onChange(stores[0].code);
  }, [result.data]);
  if (result.data?.stores.pageInfo.hasNextPage) {
    // More than a page of stores (a super-admin, a branch): type the code, the first page is offered as suggestions.
    return (
      <>
        <label>
          门店
          <input name="store" list="store-codes" value={value} onChange={(e) => onChange(e.target.value.trim())} placeholder={allowAll ? '全部门店' : '门店编码'} aria-label="门店" />
          <datalist id="store-codes">
            {stores.map((store) => <option key={store.code} value={store.code}>{store.name}</option>)}
          </datalist>
        </label>
        <ErrorNote error={result.error} />
      </>
    );
  }
  return (
    <>
      <label>
        门店
        <select name="store" value={value} onChange={(e) => onChange(e.target.value)} aria-label="门店">
          {allowAll && <option value="">全部门店</option>}
          {stores.map((store) => (
            <option key={store.code} value={store.code}>
              {store.code} {store.name}
            </option>
          ))}
        </select>
      </label>
      <ErrorNote error={result.error} />
    </>
  );
}

/** Refusals of the store actions, in Chinese (the API's messages are English; its reason says which). */
export function refusalText(extensions: Record<string, unknown> | undefined, fallback: string, when: (iso: string) => string): string {
  const reason = String(extensions?.reason ?? '');
  switch (reason) {
    case 'ALREADY_REDEEMED':
      return `该券已于 ${when(String(extensions?.redeemedAt ?? ''))} 在门店 ${String(extensions?.storeCode ?? '')} 核销过，不能再次核销`;
    case 'COUPON_USED':
      return '该券已在订单中使用，不能核销';
    case 'COUPON_LOCKED':
      return '该券正被一笔未付款订单占用，不能核销';
    case 'COUPON_EXPIRED':
      return '该券已过期';
    case 'COUPON_NOT_YET_VALID':
      return '该券尚未到使用时间';
    case 'NOT_ASSIGNED':
      return '您的账号不能代表该门店操作';
    case 'STORE_DISABLED':
      return '该门店已停用';
    case 'ACCOUNT_DISABLED':
      return '您的账号已停用';
    case 'TERMINAL_REVOKED':
      return '该终端已被注销';
  }
  switch (extensions?.code) {
    case 'NOT_FOUND':
      return '没有找到：请检查编码';
    case 'FORBIDDEN':
      return '无权执行此操作';
    case 'BAD_USER_INPUT':
      return `输入有误：${fallback}`;
  }
  return fallback;
}
