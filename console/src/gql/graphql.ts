/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What an after-sales request asks for. */
export type AfterSaleKind =
  /** The goods back and a replacement out: the same SKU or another SKU of the same product. */
  | 'EXCHANGE'
  /** Money back (and possibly the goods back). */
  | 'REFUND';

/** Where a refund request stands. */
export type AfterSaleStatus =
  /** Approved: payment pays it back (see Order.refunds for where that stands). */
  | 'APPROVED'
  /** Exchange: the replacement was delivered. */
  | 'COMPLETED'
  /** Exchange: staff received the returned goods. */
  | 'RECEIVED'
  /** Refused by staff (see `staffNote`). */
  | 'REJECTED'
  /** Exchange: the replacement is on its way (see replacementShipment). */
  | 'REPLACEMENT_SHIPPED'
  /** Waiting for staff. */
  | 'REQUESTED'
  /** Exchange: the shopper sent the parcel back (see returnShipment). */
  | 'RETURNING'
  /** Withdrawn by the shopper. */
  | 'REVOKED';

/** Conditions of the staff code list (all given ones must hold). */
export type CouponCodeFilter = {
  /** A code or its beginning, as typed (case, dashes and spaces ignored). */
  code?: string | null | undefined;
  /** Codes redeemed by this user. */
  redeemedBy?: string | null | undefined;
  /** Codes with this status; without it every code except DELETED ones. */
  status?: CouponCodeStatus | null | undefined;
  /** Codes of this template. */
  templateId?: string | null | undefined;
};

/** Where a redeem code stands (derived from its history, in this order of precedence). */
export type CouponCodeStatus =
  /** Can be redeemed (if its template is active and open). */
  | 'ACTIVE'
  /** Deleted by staff (kept for history; never redeems). */
  | 'DELETED'
  /** Disabled by staff (can be re-enabled). */
  | 'DISABLED'
  /** Past its own expiresAt (can be extended). */
  | 'EXPIRED'
  /** Turned into a coupon. */
  | 'REDEEMED';

/** Which items a coupon applies to. */
export type CouponScope =
  /** Every item. */
  | 'ALL'
  /** Items of the listed categories. */
  | 'CATEGORIES'
  /** The listed products. */
  | 'PRODUCTS';

/** A new coupon template (staff, scope promote:write). Give either validDays or validFrom + validUntil. */
export type CouponTemplateInput = {
  /** Whether it starts active. Default true. */
  active?: boolean | null | undefined;
  /** Amount taken off, in fen: at least 1 for CASH, 0 for FREE_SHIPPING; at most MAX_ORDER_TOTAL_FEN (default ¥1,000,000). */
  amount: number;
  /** Required and non-empty with scope CATEGORIES (product subgraph category ids). */
  categoryIds?: Array<string> | null | undefined;
  /** Whether shoppers can claim it directly (false: only through redeem codes). Default true. */
  claimable?: boolean | null | undefined;
  /** Description of the campaign, at most 200 characters. */
  description?: string | null | undefined;
  /** Least subtotal of the items in scope, in fen; for CASH at least amount; at most MAX_ORDER_TOTAL_FEN. Default 0 (for CASH: amount). */
  minSpend?: number | null | undefined;
  /** Display name, 1-64 characters. */
  name: string;
  /** How many coupons of this template one shopper may hold, at least 1. Default 1. */
  perUserLimit?: number | null | undefined;
  /** Required and non-empty with scope PRODUCTS (product subgraph product ids). */
  productIds?: Array<string> | null | undefined;
  /** Which items the coupon applies to. Default ALL. */
  scope?: CouponScope | null | undefined;
  /** How many coupons can be issued in all (at least 1); null = unlimited. */
  totalQuantity?: number | null | undefined;
  /** CASH or FREE_SHIPPING. */
  type: CouponType;
  /** Validity in days after claiming (1-3650). Exclusive with validFrom/validUntil. */
  validDays?: number | null | undefined;
  /** Start of a fixed validity window (ISO 8601). Needs validUntil. */
  validFrom?: string | null | undefined;
  /** End of a fixed validity window (ISO 8601), after validFrom and in the future. */
  validUntil?: string | null | undefined;
};

/** What a coupon takes off. */
export type CouponType =
  /** A fixed amount off the items in scope (never more than their subtotal). */
  | 'CASH'
  /** The order's shipping fee is waived. */
  | 'FREE_SHIPPING';

/** A new app. */
export type CreateOpenAppInput = {
  /** The ISV's company name (up to 50 characters). */
  corpName?: string | null | undefined;
  /** Calls per day in Asia/Shanghai (1..100,000,000; default 100,000). */
  dailyLimit?: number | null | undefined;
  /** Free text (up to 500 characters). */
  description?: string | null | undefined;
  /** Default true. */
  enabled?: boolean | null | undefined;
  /** Calls per minute (1..1,000,000; default 600). */
  minuteLimit?: number | null | undefined;
  /** Display name (1..50 characters). */
  name: string;
};

/** A merchant session to enter. */
export type CreateOpenSessionInput = {
  /** The app. */
  appKey: string;
  /** When it expires (ISO 8601, in the future, at most 400 days ahead). */
  expiresAt: string;
  /** The merchant's staff account (a user id). */
  merchant: string;
  /** Scopes the calls carry (each a staff scope; open:admin, clients:admin, store:admin, staff:admin and customer:read are never allowed). */
  scopes: Array<string>;
};

/** A new staff account. */
export type CreateStaffAccountInput = {
  /** Super-admin: acts for every store (only a super-admin may give this). */
  allStores?: boolean | null | undefined;
  /** Initial password (8–72 characters with a letter and a digit). */
  password: string;
  /** Contact phone. */
  phone?: string | null | undefined;
  /** Real name, 1–32 characters. */
  realName: string;
  /** Role names (existing roles). */
  roles: Array<string>;
  /** Store codes it may act for (at most 500). */
  storeCodes: Array<string>;
  /** Sign-in name (see register's rules for usernames). */
  username: string;
};

/** Conditions of a directory list; all given ones must hold. */
export type DirectoryFilter = {
  /** Exact business codes, at most 500 (a batch look-up). */
  codes?: Array<string> | null | undefined;
  /** Part of the name (case-insensitive). */
  keyword?: string | null | undefined;
  /** ACTIVE or DISABLED. */
  status?: DirectoryStatus | null | undefined;
};

/** Whether a directory entry (branch, franchisee, store) is part of the shop. */
export type DirectoryStatus =
  /** In use. */
  | 'ACTIVE'
  /** Kept for history; staff cannot act for a disabled store. */
  | 'DISABLED';

/** A franchisee to add or change (by code). */
export type FranchiseeInput = {
  /** Business code: 1–32 letters, digits, '-' or '_'. */
  code: string;
  /** Contact person. */
  contactName?: string | null | undefined;
  /** Contact phone. */
  contactPhone?: string | null | undefined;
  /** Name, 1–64 characters. */
  name: string;
  /** ACTIVE (default) or DISABLED. */
  status?: DirectoryStatus | null | undefined;
};

/** Sign-in with a password. */
export type LoginInput = {
  /** A phone number, an email address or a username. */
  account: string;
  /** The account's password. */
  password: string;
};

/** Which member card. */
export type MemberCardKind =
  /** Alipay member card. */
  | 'ALIPAY'
  /** The shop's own card. */
  | 'SHOP'
  /** WeChat member card. */
  | 'WECHAT';

/** What a member code was recognised as. */
export type MemberCodeKind =
  /** An Alipay member card number. */
  | 'ALIPAY_CARD'
  /** A coupon's code (a coupon in the shopper's wallet, or the redeem code it came from). */
  | 'COUPON'
  /** A mainland mobile number of an account. */
  | 'PHONE'
  /** The shop's own member card number. */
  | 'SHOP_CARD'
  /** A WeChat member card number. */
  | 'WECHAT_CARD';

/**
 * A membership level. TRIAL and FORMAL hold only until their expiry: an expired membership reads as NONE (with the
 * expiry it had).
 */
export type MembershipLevel =
  /** A paid or activated membership. */
  | 'FORMAL'
  /** Not a member (never one, or expired). */
  | 'NONE'
  /** The free trial (MEMBER_TRIAL_DAYS), once per person and once per family. */
  | 'TRIAL';

/** What to search the call logs for; every given condition must hold. */
export type OpenCallLogFilter = {
  /** Only this app. */
  appKey?: string | null | undefined;
  /** Only calls that ended with an error code. */
  errorsOnly?: boolean | null | undefined;
  /** Received at or after this instant (ISO 8601, to the second or finer). */
  from: string;
  /** Only calls whose request content contains this text, case-insensitively (1..100 characters, Chinese included). */
  keyword?: string | null | undefined;
  /** Only this method. */
  method?: string | null | undefined;
  /** Received before this instant (ISO 8601); at most 31 days after `from`. */
  to: string;
};

/** Who changed an order's status. */
export type OrderActor =
  /** The shopper who placed the order. */
  | 'SHOPPER'
  /** Shop staff. */
  | 'STAFF'
  /** The shop itself: payment confirmations, refunds completed, payment timeouts. */
  | 'SYSTEM';

/** What an order buys: goods through checkout, or a subscription delivered in packages. */
export type OrderKind =
  /** Goods bought through checkout (createOrder). */
  | 'GOODS'
  /** A subscription (createSubscriptionOrder): one package per period. */
  | 'SUBSCRIPTION';

/** Where a refund stands. */
export type OrderRefundStatus =
  /** Refused by the payment channel or by payment's checks; nothing was paid back. */
  | 'FAILED'
  /** Being paid back (counts as in flight: it cannot be refunded again). */
  | 'PENDING'
  /** Paid back (counted in refundedAmount). */
  | 'SUCCEEDED';

/**
 * Lifecycle of an order: PENDING_PAYMENT → PAID → SHIPPED → COMPLETED; PENDING_PAYMENT → CANCELLED;
 * PAID/SHIPPED/COMPLETED → REFUNDING → REFUNDED (or back, when a refund fails); partial refunds keep the status.
 */
export type OrderStatus =
  /** Cancelled before payment (by the shopper, staff, or the payment timeout). */
  | 'CANCELLED'
  /** Received by the shopper. */
  | 'COMPLETED'
  /** Paid, waiting to be shipped. */
  | 'PAID'
  /** Placed, waiting for payment until `expiresAt`. */
  | 'PENDING_PAYMENT'
  /** Everything paid was refunded. */
  | 'REFUNDED'
  /** Refunds in flight cover everything not refunded yet; back to its previous status if one of them fails. */
  | 'REFUNDING'
  /** Shipped, waiting for the shopper to confirm receipt. */
  | 'SHIPPED';

/** Payment channels. */
export type PaymentMethodType =
  /** Alipay (app pay). */
  | 'ALIPAY'
  /** The shopper's wallet balance. */
  | 'BALANCE'
  /** A family's wallet balance (payOrder with familyId; the family's owner only). */
  | 'FAMILY_BALANCE'
  /** WeChat Pay (JSAPI / mini-program). */
  | 'WECHAT';

/** State of a payment. */
export type PaymentStatus =
  /** Given up (never paid): the provider trade was closed (order cancelled, or past its deadline). */
  | 'CLOSED'
  /** The provider refused the payment. */
  | 'FAILED'
  /**
   * The provider reported this payment paid, but not for its amount: nothing was credited to the order, and staff must
   * resolve it (see `flaggedPayments`, docs/payment.md "Amount mismatch").
   */
  | 'FLAGGED'
  /** Waiting for the provider (the shopper has not paid yet). */
  | 'PENDING'
  /** Paid back in full. */
  | 'REFUNDED'
  /** The money arrived. */
  | 'SUCCEEDED';

/** Narrows `products`; all conditions combine with AND. */
export type ProductFilter = {
  /** A brand. */
  brandId?: string | null | undefined;
  /** A category; a top-level category includes the products of its sub-categories. */
  categoryId?: string | null | undefined;
  /**
   * Search text (at most 100 characters after normalization, at most 8 space-separated words): a product matches when
   * every word appears in its title, brand name, category or parent category name, or tags (NFKC, case-insensitive;
   * Chinese matched by characters). With a keyword the list is ranked instead of newest first: the whole keyword in the
   * title, then every word in the title, then words found in brand or category names, then in tags; newest first within
   * a rank. Cursors of a search are valid only for a search (docs/search.md).
   */
  keyword?: string | null | undefined;
  /**
   * True: only products with a SKU that has a member price (seed `/product/member/list-by-member`), newest first.
   * Not combinable with `keyword` (BAD_USER_INPUT).
   */
  memberPriced?: boolean | null | undefined;
  /** Staff only: on-shelf (true) or off-shelf (false) products. Shoppers always see on-shelf products only. */
  onShelf?: boolean | null | undefined;
};

/**
 * How the router treats a client's operations that are not in any of its live manifests: OFF runs anything
 * (automatic persisted queries included), AUDIT runs them but logs and counts them, ENFORCE refuses them with
 * PERSISTED_QUERY_NOT_IN_LIST before anything is planned.
 */
export type SafelistMode =
  /** Anything runs; operations outside the manifests are logged once and counted (shop_safelist_operations_total). */
  | 'AUDIT'
  /** Only operations of the client's live manifests run. */
  | 'ENFORCE'
  /** Anything runs, automatic persisted queries included (development). */
  | 'OFF';

/** A sales branch to add or change (by code). */
export type SalesBranchInput = {
  /** Business code: 1–32 letters, digits, '-' or '_'. */
  code: string;
  /** Name, 1–64 characters. */
  name: string;
  /** ACTIVE (default) or DISABLED. */
  status?: DirectoryStatus | null | undefined;
};

/** What a parcel is. */
export type ShipmentKind =
  /** An exchange's replacement, to the shopper. */
  | 'EXCHANGE'
  /** The order's goods, to the shopper. */
  | 'OUTBOUND'
  /** Goods the shopper sends back (return or exchange). */
  | 'RETURN';

/**
 * Where a parcel is. Kuaidi100 `state` codes map as 0 IN_TRANSIT, 1 COLLECTED, 2 TROUBLE, 3 DELIVERED, 4 RETURNED,
 * 5 DISPATCHING, 6 RETURNING, 7 TRANSFERRED, 8 CUSTOMS, 14 REJECTED.
 */
export type ShipmentStatus =
  /** Collected by the carrier (揽收). */
  | 'COLLECTED'
  /** In customs (清关). */
  | 'CUSTOMS'
  /** Signed for (签收). */
  | 'DELIVERED'
  /** Out for delivery (派件). */
  | 'DISPATCHING'
  /** On its way (在途). */
  | 'IN_TRANSIT'
  /** Handed over; no tracking yet. */
  | 'PENDING'
  /** Refused by the recipient (拒签). */
  | 'REJECTED'
  /** Returned and signed for by the sender (退签). */
  | 'RETURNED'
  /** On its way back to the sender (退回). */
  | 'RETURNING'
  /** Handed to another carrier (转投). */
  | 'TRANSFERRED'
  /** A problem the carrier reports (疑难). */
  | 'TROUBLE';

/** What a recorded read of a shopper's personal data showed. */
export type ShopperAccessKind =
  /** The detail: full mobile, addresses (shopper). */
  | 'PROFILE'
  /** The wallet: balance and bills (payment's shopperWallet / ShopperProfile.wallet). */
  | 'WALLET';

/** The shopper look-up's conditions: at least one (BAD_USER_INPUT, field filter, otherwise); all given ones must hold. */
export type ShopperFilter = {
  /** The full mobile number (exact match; BAD_USER_INPUT, field mobile, unless 11 digits 13x–19x). */
  mobile?: string | null | undefined;
  /** The beginning of the nickname (at most 64 characters; case-sensitive). */
  nickname?: string | null | undefined;
  /** The user id. */
  userId?: string | null | undefined;
};

/** Conditions of the staff account list; all given ones must hold. */
export type StaffAccountFilter = {
  /** Only disabled (true) or only enabled (false) accounts. */
  disabled?: boolean | null | undefined;
  /** The beginning of the contact phone. */
  phone?: string | null | undefined;
  /** Part of the real name (case-insensitive). */
  realName?: string | null | undefined;
  /** Accounts assigned to this store (its code). */
  storeCode?: string | null | undefined;
};

/** What to search orders by (staff); every given criterion must hold. */
export type StaffOrderFilter = {
  /** Placed at or after this instant (ISO 8601). */
  createdFrom?: string | null | undefined;
  /** Placed before this instant (ISO 8601). */
  createdTo?: string | null | undefined;
  /** The exact order number. */
  orderNo?: string | null | undefined;
  /** The shopper's user id. */
  shopperId?: string | null | undefined;
  /** Only orders in this status. */
  status?: OrderStatus | null | undefined;
};

/** Which SKUs the inventory statistics list; every criterion given must match. */
export type StockStatisticsFilter = {
  /** Text in the product's title or the SKU's name (at most 64 characters). */
  keyword?: string | null | undefined;
  /** Only this product's SKUs. */
  productId?: string | null | undefined;
  /** Only these SKUs (at most 500; BAD_USER_INPUT beyond). */
  skuIds?: Array<string> | null | undefined;
};

/** A store's business status (营业状态). */
export type StoreBusinessStatus =
  /** Closed for good or for a long time. */
  | 'CLOSED'
  /** Serving customers. */
  | 'OPEN'
  /** Temporarily not serving (rest day, stock-taking). */
  | 'PAUSED';

/** Conditions of the store list; all given ones must hold. */
export type StoreFilter = {
  /** Stores of this sales branch (its code). */
  branchCode?: string | null | undefined;
  /** OPEN, PAUSED or CLOSED. */
  businessStatus?: StoreBusinessStatus | null | undefined;
  /** Exact store codes, at most 500 (a batch look-up). */
  codes?: Array<string> | null | undefined;
  /** Stores of this franchisee (its code). */
  franchiseeCode?: string | null | undefined;
  /** Part of the name (case-insensitive). */
  keyword?: string | null | undefined;
  /** ACTIVE or DISABLED. */
  status?: DirectoryStatus | null | undefined;
};

/** A store to add or change (by code). */
export type StoreInput = {
  /** Street address. */
  address?: string | null | undefined;
  /** The sales branch's code (must exist). */
  branchCode?: string | null | undefined;
  /** OPEN (default), PAUSED or CLOSED. */
  businessStatus?: StoreBusinessStatus | null | undefined;
  /** Business code: 1–32 letters, digits, '-' or '_'. */
  code: string;
  /** The owning franchisee's code (must exist). */
  franchiseeCode?: string | null | undefined;
  /** Name, 1–64 characters. */
  name: string;
  /** The store's phone. */
  phone?: string | null | undefined;
  /** ACTIVE (default) or DISABLED. */
  status?: DirectoryStatus | null | undefined;
};

/** Changes to a redeem code (staff). A field left out stays as it is. */
export type UpdateCouponCodeInput = {
  /** true disables the code (it stops redeeming), false enables it again. */
  disabled?: boolean | null | undefined;
  /** The code's own deadline (ISO 8601 date-time, in the future); null removes it. */
  expiresAt?: string | null | undefined;
};

/**
 * Changes to a coupon template (staff). A field left out stays as it is; null clears a nullable one (totalQuantity: null
 * = unlimited). Always editable: name, description, claimable, active, perUserLimit (lowering it takes no coupon away),
 * totalQuantity (not below issuedCount), and the validity (validDays, or the validFrom/validUntil window; coupons already
 * issued keep their own validity). The terms — type, amount, minSpend, scope, categoryIds, productIds — only while no
 * coupon or code was issued (issuedCount 0): coupons already issued carry the template's terms, so changing them would
 * change what shoppers hold (CONFLICT, extensions.reason TEMPLATE_ISSUED; create a new template instead).
 */
export type UpdateCouponTemplateInput = {
  /** Whether the campaign is on. */
  active?: boolean | null | undefined;
  /** Amount in fen (only while nothing was issued). */
  amount?: number | null | undefined;
  /** Categories of scope CATEGORIES (only while nothing was issued). */
  categoryIds?: Array<string> | null | undefined;
  /** Whether shoppers can claim it directly. */
  claimable?: boolean | null | undefined;
  /** Description, at most 200 characters; null or empty clears it. */
  description?: string | null | undefined;
  /** Least subtotal in fen (only while nothing was issued). */
  minSpend?: number | null | undefined;
  /** Display name, 1-64 characters (shown on coupons already issued too). */
  name?: string | null | undefined;
  /** Per-shopper limit, at least 1. */
  perUserLimit?: number | null | undefined;
  /** Products of scope PRODUCTS (only while nothing was issued). */
  productIds?: Array<string> | null | undefined;
  /** Scope (only while nothing was issued). */
  scope?: CouponScope | null | undefined;
  /** Total to issue, at least issuedCount; null = unlimited. */
  totalQuantity?: number | null | undefined;
  /** CASH or FREE_SHIPPING (only while nothing was issued). */
  type?: CouponType | null | undefined;
  /** Validity in days after claiming (1-3650); replaces a fixed window. */
  validDays?: number | null | undefined;
  /** Start of a fixed window (ISO 8601); with validUntil, replaces validDays. */
  validFrom?: string | null | undefined;
  /** End of a fixed window (ISO 8601), after validFrom; a new end must be in the future. */
  validUntil?: string | null | undefined;
};

/** Changes to an app; fields left out stay as they are. */
export type UpdateOpenAppInput = {
  /** The ISV's company name. */
  corpName?: string | null | undefined;
  /** Calls per day. */
  dailyLimit?: number | null | undefined;
  /** Free text. */
  description?: string | null | undefined;
  /** Enabled or not. */
  enabled?: boolean | null | undefined;
  /** Calls per minute. */
  minuteLimit?: number | null | undefined;
  /** Display name (1..50 characters). */
  name?: string | null | undefined;
};

/** Changes to a staff account; fields left out stay. */
export type UpdateStaffAccountInput = {
  /** Super-admin or not (only a super-admin may change this). */
  allStores?: boolean | null | undefined;
  /** Contact phone (null clears it). */
  phone?: string | null | undefined;
  /** Real name. */
  realName?: string | null | undefined;
  /** Replaces its roles. */
  roles?: Array<string> | null | undefined;
  /** Replaces its stores (at most 500 codes). */
  storeCodes?: Array<string> | null | undefined;
};

/** Kinds of wallet entries. */
export type WalletBillKind =
  /** Money added (by staff). */
  | 'CREDIT'
  /** An order paid from the balance. */
  | 'PAYMENT'
  /** A balance payment paid back. */
  | 'REFUND';

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { login: { accessToken: string, refreshToken: string, expiresIn: number, user: { id: string, nickname: string | null, scopes: Array<string> } } };

export type RefreshTokenMutationVariables = Exact<{
  refreshToken: string;
}>;


export type RefreshTokenMutation = { refreshToken: { accessToken: string, refreshToken: string, expiresIn: number, user: { id: string, nickname: string | null, scopes: Array<string> } } };

export type LogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutMutation = { logout: boolean };

export type ConsoleViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleViewerQuery = { me: { id: string, nickname: string | null, scopes: Array<string> } | null, myConsoleMenus: Array<{ key: string, name: string, parentKey: string | null, path: string | null, scope: string | null }> };

export type MyStaffAccountQueryVariables = Exact<{ [key: string]: never; }>;


export type MyStaffAccountQuery = { myStaffAccount: { id: string, realName: string, allStores: boolean, stores: Array<{ code: string, name: string }> } | null };

export type BackOfficeStoresQueryVariables = Exact<{
  filter?: StoreFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type BackOfficeStoresQuery = { stores: { edges: Array<{ node: { id: string, code: string, name: string, address: string | null, phone: string | null, status: DirectoryStatus, businessStatus: StoreBusinessStatus, franchisee: { code: string, name: string } | null, branch: { code: string, name: string } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type IdentifyMemberQueryVariables = Exact<{
  storeCode: string;
  code: string;
}>;


export type IdentifyMemberQuery = { identifyMember: { kind: MemberCodeKind, userId: string, nickname: string | null, maskedPhone: string | null, couponId: string | null, membership: { level: MembershipLevel, expiresAt: string | null } } };

export type RedeemCouponAtStoreMutationVariables = Exact<{
  storeCode: string;
  code: string;
}>;


export type RedeemCouponAtStoreMutation = { redeemCouponAtStore: { couponId: string, storeCode: string, userId: string, amount: number, redeemedAt: string } };

export type StoreRedemptionsQueryVariables = Exact<{
  storeCode: string;
  from: string;
  to: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type StoreRedemptionsQuery = { storeRedemptions: { edges: Array<{ node: { couponId: string, amount: number, staffUserId: string, terminalId: string | null, userId: string, redeemedAt: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type StaffAccountsQueryVariables = Exact<{
  filter?: StaffAccountFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type StaffAccountsQuery = { staffAccounts: { edges: Array<{ node: { id: string, username: string | null, realName: string, phone: string | null, allStores: boolean, disabled: boolean, roles: Array<string>, createdAt: string, stores: Array<{ code: string, name: string }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type BackOfficeRolesQueryVariables = Exact<{ [key: string]: never; }>;


export type BackOfficeRolesQuery = { staffRoles: Array<{ id: string, name: string, scopes: Array<string>, builtIn: boolean }>, staffPermissions: Array<{ scope: string, description: string }> };

export type CreateStaffAccountMutationVariables = Exact<{
  input: CreateStaffAccountInput;
}>;


export type CreateStaffAccountMutation = { createStaffAccount: { id: string, username: string | null, realName: string, disabled: boolean, roles: Array<string>, stores: Array<{ code: string, name: string }> } };

export type SetStaffAccountDisabledMutationVariables = Exact<{
  id: string;
  disabled: boolean;
}>;


export type SetStaffAccountDisabledMutation = { setStaffAccountDisabled: { id: string, disabled: boolean } };

export type ResetStaffPasswordMutationVariables = Exact<{
  id: string;
  password: string;
}>;


export type ResetStaffPasswordMutation = { resetStaffPassword: { id: string } };

export type StoreStatisticsQueryVariables = Exact<{
  storeCode?: string | null | undefined;
  from: string;
  to: string;
}>;


export type StoreStatisticsQuery = { storeStatistics: { storeCode: string | null, from: string, to: string, totals: { ordersPlaced: number, ordersPaid: number, salesAmount: number, ordersCancelled: number, ordersRefunded: number, refundedAmount: number, couponsRedeemed: number, couponAmount: number }, days: Array<{ day: string, ordersPaid: number, salesAmount: number, couponsRedeemed: number, couponAmount: number }> } };

export type StoreSkuSalesQueryVariables = Exact<{
  storeCode: string;
  from: string;
  to: string;
}>;


export type StoreSkuSalesQuery = { storeSkuSales: Array<{ skuId: string, productId: string, quantity: number, orders: number }> };

export type TerminalsQueryVariables = Exact<{
  storeCode: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type TerminalsQuery = { terminals: { edges: Array<{ node: { id: string, name: string, deviceId: string | null, boundAt: string, lastSeenAt: string | null, revokedAt: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type IssueTerminalBindingCodeMutationVariables = Exact<{
  storeCode: string;
}>;


export type IssueTerminalBindingCodeMutation = { issueTerminalBindingCode: { code: string, expiresAt: string, storeCode: string } };

export type RevokeTerminalMutationVariables = Exact<{
  id: string;
}>;


export type RevokeTerminalMutation = { revokeTerminal: { id: string, revokedAt: string | null } };

export type UpdateStaffAccountMutationVariables = Exact<{
  id: string;
  input: UpdateStaffAccountInput;
}>;


export type UpdateStaffAccountMutation = { updateStaffAccount: { id: string, realName: string, phone: string | null, roles: Array<string>, stores: Array<{ code: string, name: string }> } };

export type FranchiseesQueryVariables = Exact<{
  filter?: DirectoryFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type FranchiseesQuery = { franchisees: { edges: Array<{ node: { id: string, code: string, name: string, contactName: string | null, contactPhone: string | null, status: DirectoryStatus, updatedAt: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type SalesBranchesQueryVariables = Exact<{
  filter?: DirectoryFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SalesBranchesQuery = { salesBranches: { edges: Array<{ node: { id: string, code: string, name: string, status: DirectoryStatus, updatedAt: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type UpsertFranchiseeMutationVariables = Exact<{
  input: FranchiseeInput;
}>;


export type UpsertFranchiseeMutation = { upsertFranchisee: { id: string, code: string, name: string, contactName: string | null, contactPhone: string | null, status: DirectoryStatus, updatedAt: string } };

export type UpsertSalesBranchMutationVariables = Exact<{
  input: SalesBranchInput;
}>;


export type UpsertSalesBranchMutation = { upsertSalesBranch: { id: string, code: string, name: string, status: DirectoryStatus, updatedAt: string } };

export type BackOfficeStoreQueryVariables = Exact<{
  code: string;
}>;


export type BackOfficeStoreQuery = { store: { id: string, code: string, name: string, address: string | null, phone: string | null, status: DirectoryStatus, businessStatus: StoreBusinessStatus, createdAt: string, updatedAt: string, franchisee: { code: string, name: string } | null, branch: { code: string, name: string } | null } };

export type UpsertStoreMutationVariables = Exact<{
  input: StoreInput;
}>;


export type UpsertStoreMutation = { upsertStore: { id: string, code: string, name: string, address: string | null, phone: string | null, status: DirectoryStatus, businessStatus: StoreBusinessStatus, createdAt: string, updatedAt: string, franchisee: { code: string, name: string } | null, branch: { code: string, name: string } | null } };

export type SetStoreBusinessStatusMutationVariables = Exact<{
  code: string;
  businessStatus: StoreBusinessStatus;
}>;


export type SetStoreBusinessStatusMutation = { setStoreBusinessStatus: { id: string, code: string, businessStatus: StoreBusinessStatus, updatedAt: string } };

export type BackOfficeTerminalQueryVariables = Exact<{
  id: string;
}>;


export type BackOfficeTerminalQuery = { terminal: { id: string, name: string, deviceId: string | null, boundAt: string, lastSeenAt: string | null, revokedAt: string | null, store: { code: string, name: string } } };

export type CreateStaffRoleMutationVariables = Exact<{
  name: string;
  scopes: Array<string> | string;
}>;


export type CreateStaffRoleMutation = { createStaffRole: { id: string, name: string, scopes: Array<string>, builtIn: boolean } };

export type UpdateStaffRoleMutationVariables = Exact<{
  name: string;
  scopes: Array<string> | string;
}>;


export type UpdateStaffRoleMutation = { updateStaffRole: { id: string, name: string, scopes: Array<string>, builtIn: boolean } };

export type DeleteStaffRoleMutationVariables = Exact<{
  name: string;
}>;


export type DeleteStaffRoleMutation = { deleteStaffRole: boolean };

export type MemberCardsQueryVariables = Exact<{
  userId: string;
}>;


export type MemberCardsQuery = { memberCards: Array<{ kind: MemberCardKind, number: string }> };

export type SetMemberCardMutationVariables = Exact<{
  userId: string;
  kind: MemberCardKind;
  number: string;
}>;


export type SetMemberCardMutation = { setMemberCard: Array<{ kind: MemberCardKind, number: string }> };

export type CatalogProductsQueryVariables = Exact<{
  filter?: ProductFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CatalogProductsQuery = { products: { edges: Array<{ node: { id: string, title: string, onShelf: boolean, minPrice: number, skus: Array<{ id: string, name: string, price: number, stock: number, available: boolean, barcode: string | null }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type UpdateSkuPriceMutationVariables = Exact<{
  id: string;
  price: number;
}>;


export type UpdateSkuPriceMutation = { updateSku: { id: string, name: string, price: number, stock: number } };

export type SetProductOnShelfMutationVariables = Exact<{
  id: string;
  onShelf: boolean;
}>;


export type SetProductOnShelfMutation = { setProductOnShelf: { id: string, onShelf: boolean } };

export type UpdateSkuStockMutationVariables = Exact<{
  id: string;
  stock: number;
}>;


export type UpdateSkuStockMutation = { updateSku: { id: string, name: string, price: number, stock: number, available: boolean } };

export type ClientReleaseFieldsFragment = { id: string, clientName: string, version: string, operationCount: number, contentHash: string, registeredAt: string, registeredBy: string | null, retiredAt: string | null, lastSeenAt: string | null, requestsLast7Days: number };

export type ClientReleasesQueryVariables = Exact<{ [key: string]: never; }>;


export type ClientReleasesQuery = { clientReleases: Array<{ id: string, clientName: string, version: string, operationCount: number, contentHash: string, registeredAt: string, registeredBy: string | null, retiredAt: string | null, lastSeenAt: string | null, requestsLast7Days: number }>, clientSafelistModes: Array<{ clientName: string, mode: SafelistMode, updatedAt: string, updatedBy: string | null }> };

export type SetClientSafelistModeMutationVariables = Exact<{
  clientName: string;
  mode: SafelistMode;
}>;


export type SetClientSafelistModeMutation = { setClientSafelistMode: { clientName: string, mode: SafelistMode, updatedAt: string, updatedBy: string | null } };

export type RetireClientReleaseMutationVariables = Exact<{
  clientName: string;
  version: string;
}>;


export type RetireClientReleaseMutation = { retireClientRelease: { id: string, clientName: string, version: string, operationCount: number, contentHash: string, registeredAt: string, registeredBy: string | null, retiredAt: string | null, lastSeenAt: string | null, requestsLast7Days: number } };

export type CouponTemplatesQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type CouponTemplatesQuery = { couponTemplates: { edges: Array<{ node: { id: string, name: string, type: CouponType, amount: number, minSpend: number, active: boolean, claimable: boolean, issuedCount: number, totalQuantity: number | null, remainingQuantity: number | null, validFrom: string | null, validUntil: string | null, validDays: number | null, description: string | null, scope: CouponScope, categoryIds: Array<string>, productIds: Array<string>, perUserLimit: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CouponCodesQueryVariables = Exact<{
  filter?: CouponCodeFilter | null | undefined;
  first?: number | null | undefined;
}>;


export type CouponCodesQuery = { couponCodes: { edges: Array<{ node: { id: string, code: string, status: CouponCodeStatus, expiresAt: string | null, disabledAt: string | null, createdAt: string, redeemedAt: string | null, redeemedBy: string | null, template: { name: string } } }> } };

export type CreateCouponTemplateMutationVariables = Exact<{
  input: CouponTemplateInput;
}>;


export type CreateCouponTemplateMutation = { createCouponTemplate: { id: string, name: string, type: CouponType, amount: number, minSpend: number, active: boolean, claimable: boolean, issuedCount: number, totalQuantity: number | null, remainingQuantity: number | null, validFrom: string | null, validUntil: string | null, validDays: number | null, description: string | null, scope: CouponScope, categoryIds: Array<string>, productIds: Array<string>, perUserLimit: number } };

export type SetCouponTemplateActiveMutationVariables = Exact<{
  id: string;
  active: boolean;
}>;


export type SetCouponTemplateActiveMutation = { setCouponTemplateActive: { id: string, active: boolean } };

export type CreateCouponCodesMutationVariables = Exact<{
  templateId: string;
  count: number;
}>;


export type CreateCouponCodesMutation = { createCouponCodes: Array<string> };

export type UpdateCouponTemplateMutationVariables = Exact<{
  id: string;
  input: UpdateCouponTemplateInput;
}>;


export type UpdateCouponTemplateMutation = { updateCouponTemplate: { id: string, name: string, type: CouponType, amount: number, minSpend: number, active: boolean, claimable: boolean, issuedCount: number, totalQuantity: number | null, remainingQuantity: number | null, validFrom: string | null, validUntil: string | null, validDays: number | null, description: string | null, scope: CouponScope, categoryIds: Array<string>, productIds: Array<string>, perUserLimit: number } };

export type CouponCategoriesQueryVariables = Exact<{ [key: string]: never; }>;


export type CouponCategoriesQuery = { categories: Array<{ id: string, name: string, children: Array<{ id: string, name: string }> }> };

export type UpdateCouponCodeMutationVariables = Exact<{
  id: string;
  input: UpdateCouponCodeInput;
}>;


export type UpdateCouponCodeMutation = { updateCouponCode: { id: string, status: CouponCodeStatus, expiresAt: string | null, disabledAt: string | null } };

export type DeleteCouponCodeMutationVariables = Exact<{
  id: string;
}>;


export type DeleteCouponCodeMutation = { deleteCouponCode: { id: string, status: CouponCodeStatus, deletedAt: string | null } };

export type OpenCallsPerMinuteQueryVariables = Exact<{
  from: string;
  to: string;
}>;


export type OpenCallsPerMinuteQuery = { openCallsPerMinute: Array<{ minute: string, calls: number, errors: number, averageMs: number | null, maxMs: number | null }> };

export type StockStatisticsQueryVariables = Exact<{
  from: string;
  to: string;
  filter?: StockStatisticsFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type StockStatisticsQuery = { stockStatistics: { storeCode: string, from: string, to: string, edges: Array<{ node: { productId: string, productTitle: string, skuName: string, opening: number, added: number, removed: number, sold: number, returned: number, closing: number, reserved: number, available: number, sku: { id: string, deleted: boolean } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type OpenAppFieldsFragment = { id: string, appKey: string, name: string, corpName: string | null, description: string | null, enabled: boolean, minuteLimit: number, dailyLimit: number, grantedMethods: Array<string>, createdAt: string, secretRotatedAt: string | null, previousSecretValidUntil: string | null };

export type OpenAppsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type OpenAppsQuery = { openApps: { edges: Array<{ node: { id: string, appKey: string, name: string, corpName: string | null, description: string | null, enabled: boolean, minuteLimit: number, dailyLimit: number, grantedMethods: Array<string>, createdAt: string, secretRotatedAt: string | null, previousSecretValidUntil: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateOpenAppMutationVariables = Exact<{
  input: CreateOpenAppInput;
}>;


export type CreateOpenAppMutation = { createOpenApp: { secret: string, app: { id: string, appKey: string, name: string, corpName: string | null, description: string | null, enabled: boolean, minuteLimit: number, dailyLimit: number, grantedMethods: Array<string>, createdAt: string, secretRotatedAt: string | null, previousSecretValidUntil: string | null } } };

export type RotateOpenAppSecretMutationVariables = Exact<{
  appKey: string;
}>;


export type RotateOpenAppSecretMutation = { rotateOpenAppSecret: { secret: string, app: { id: string, appKey: string, name: string, corpName: string | null, description: string | null, enabled: boolean, minuteLimit: number, dailyLimit: number, grantedMethods: Array<string>, createdAt: string, secretRotatedAt: string | null, previousSecretValidUntil: string | null } } };

export type UpdateOpenAppMutationVariables = Exact<{
  appKey: string;
  input: UpdateOpenAppInput;
}>;


export type UpdateOpenAppMutation = { updateOpenApp: { id: string, appKey: string, name: string, corpName: string | null, description: string | null, enabled: boolean, minuteLimit: number, dailyLimit: number, grantedMethods: Array<string>, createdAt: string, secretRotatedAt: string | null, previousSecretValidUntil: string | null } };

export type GrantOpenApiMutationVariables = Exact<{
  appKey: string;
  method: string;
}>;


export type GrantOpenApiMutation = { grantOpenApi: { id: string, appKey: string, name: string, corpName: string | null, description: string | null, enabled: boolean, minuteLimit: number, dailyLimit: number, grantedMethods: Array<string>, createdAt: string, secretRotatedAt: string | null, previousSecretValidUntil: string | null } };

export type RevokeOpenApiGrantMutationVariables = Exact<{
  appKey: string;
  method: string;
}>;


export type RevokeOpenApiGrantMutation = { revokeOpenApiGrant: { id: string, appKey: string, name: string, corpName: string | null, description: string | null, enabled: boolean, minuteLimit: number, dailyLimit: number, grantedMethods: Array<string>, createdAt: string, secretRotatedAt: string | null, previousSecretValidUntil: string | null } };

export type OpenSessionsQueryVariables = Exact<{
  appKey: string;
}>;


export type OpenSessionsQuery = { openSessions: { edges: Array<{ node: { id: string, appKey: string, merchant: string, scopes: Array<string>, tokenHint: string, createdAt: string, expiresAt: string, revokedAt: string | null } }> } };

export type OpenApisQueryVariables = Exact<{ [key: string]: never; }>;


export type OpenApisQuery = { openApis: Array<{ id: string, method: string, enabled: boolean, idempotent: boolean, cost: number, maxConcurrency: number, alertThresholdMs: number | null, description: string | null }> };

export type OpenCallLogsQueryVariables = Exact<{
  filter: OpenCallLogFilter;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type OpenCallLogsQuery = { openCallLogs: { edges: Array<{ node: { id: string, receivedAt: string, appKey: string | null, method: string | null, merchant: string | null, httpStatus: number, errorCode: string | null, admitted: boolean, responseTimeMs: number, gateway: string, requestHighlight: Array<{ text: string, match: boolean }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type OpenCallStatisticsQueryVariables = Exact<{
  from: string;
  to: string;
  appKey?: string | null | undefined;
  method?: string | null | undefined;
}>;


export type OpenCallStatisticsQuery = { openCallStatistics: Array<{ method: string, calls: number, errors: number, averageMs: number, maxMs: number }> };

export type OpenTodayRankingQueryVariables = Exact<{
  limit?: number | null | undefined;
}>;


export type OpenTodayRankingQuery = { openTodayRanking: { date: string, entries: Array<{ rank: number, method: string, calls: number }> } };

export type OpenAlertsQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type OpenAlertsQuery = { openAlerts: { edges: Array<{ node: { id: string, method: string, averageMs: number, thresholdMs: number, calls: number, windowStart: string, windowEnd: string, createdAt: string } }> } };

export type OpenSessionFieldsFragment = { id: string, appKey: string, merchant: string, scopes: Array<string>, tokenHint: string, createdAt: string, expiresAt: string, revokedAt: string | null };

export type CreateOpenSessionMutationVariables = Exact<{
  input: CreateOpenSessionInput;
}>;


export type CreateOpenSessionMutation = { createOpenSession: { token: string, session: { id: string, appKey: string, merchant: string, scopes: Array<string>, tokenHint: string, createdAt: string, expiresAt: string, revokedAt: string | null } } };

export type RevokeOpenSessionMutationVariables = Exact<{
  id: string;
}>;


export type RevokeOpenSessionMutation = { revokeOpenSession: { id: string, appKey: string, merchant: string, scopes: Array<string>, tokenHint: string, createdAt: string, expiresAt: string, revokedAt: string | null } };

export type StaffOrdersQueryVariables = Exact<{
  filter?: StaffOrderFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type StaffOrdersQuery = { staffOrders: { edges: Array<{ node: { id: string, orderNo: string, status: OrderStatus, shopperId: string, total: number, createdAt: string, paidAt: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type OrderDetailQueryVariables = Exact<{
  id: string;
}>;


export type OrderDetailQuery = { order: { id: string, orderNo: string, status: OrderStatus, kind: OrderKind, shopperId: string, subtotal: number, discount: number, shippingFee: number, total: number, refundedAmount: number, createdAt: string, paidAt: string | null, shippedAt: string | null, completedAt: string | null, cancelledAt: string | null, cancelReason: string | null, carrier: string | null, trackingNo: string | null, shippingAddress: { contactName: string, phone: string, province: string, city: string, district: string, detail: string } | null, items: Array<{ title: string, skuName: string, unitPrice: number, quantity: number }>, statusHistory: Array<{ from: OrderStatus | null, to: OrderStatus, at: string, actor: OrderActor, reason: string | null }>, payment: { id: string, method: PaymentMethodType, status: PaymentStatus, amount: number, paidAt: string | null, refundedAmount: number } | null, refunds: Array<{ refundNo: string, amount: number, status: OrderRefundStatus, reason: string, createdAt: string, settledAt: string | null, failureReason: string | null }>, afterSales: Array<{ id: string, kind: AfterSaleKind, status: AfterSaleStatus, amount: number, reason: string, createdAt: string, decidedAt: string | null, staffNote: string | null }>, shipments: Array<{ id: string, kind: ShipmentKind, trackingNumber: string, status: ShipmentStatus, shippedAt: string, carrier: { name: string } }> } | null };

export type ShipOrderMutationVariables = Exact<{
  id: string;
  carrier: string;
  trackingNo: string;
}>;


export type ShipOrderMutation = { shipOrder: { id: string, status: OrderStatus, carrier: string | null, trackingNo: string | null, shippedAt: string | null } };

export type ApproveAfterSaleMutationVariables = Exact<{
  id: string;
  note?: string | null | undefined;
}>;


export type ApproveAfterSaleMutation = { approveRefundRequest: { id: string, status: AfterSaleStatus, decidedAt: string | null, staffNote: string | null, order: { id: string, status: OrderStatus, refundedAmount: number } } };

export type RejectAfterSaleMutationVariables = Exact<{
  id: string;
  note?: string | null | undefined;
}>;


export type RejectAfterSaleMutation = { rejectRefundRequest: { id: string, status: AfterSaleStatus, decidedAt: string | null, staffNote: string | null } };

export type OrderSalesTodayQueryVariables = Exact<{ [key: string]: never; }>;


export type OrderSalesTodayQuery = { orderSalesToday: { date: string, orders: number, paidOrders: number, sales: number, refunded: number, hours: Array<{ hour: number, orders: number, sales: number }> } };

export type StaffRolesQueryVariables = Exact<{ [key: string]: never; }>;


export type StaffRolesQuery = { staffRoles: Array<{ id: string, name: string, scopes: Array<string>, members: Array<string>, menus: Array<{ key: string }> }>, consoleMenus: Array<{ key: string, name: string, parentKey: string | null, path: string | null, scope: string | null }> };

export type SetRoleMenusMutationVariables = Exact<{
  role: string;
  menuKeys: Array<string> | string;
}>;


export type SetRoleMenusMutation = { setRoleMenus: { id: string, name: string, scopes: Array<string>, members: Array<string>, menus: Array<{ key: string }> } };

export type ShoppersQueryVariables = Exact<{
  filter: ShopperFilter;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ShoppersQuery = { shoppers: { edges: Array<{ node: { id: string, nickname: string | null, mobile: string | null, registeredAt: string, familyCount: number, membership: { level: MembershipLevel, expiresAt: string | null } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ShopperDetailQueryVariables = Exact<{
  id: string;
}>;


export type ShopperDetailQuery = { shopper: { id: string, nickname: string | null, mobile: string | null, registeredAt: string, familyCount: number, membership: { level: MembershipLevel, expiresAt: string | null }, addresses: Array<{ id: string, contactName: string, phone: string, province: string, city: string, district: string, detail: string, isDefault: boolean }> | null, wallet: { balance: number, bills: { edges: Array<{ node: { id: string, amount: number, balanceAfter: number, kind: WalletBillKind, note: string | null, createdAt: string } }>, pageInfo: { hasNextPage: boolean } } } } };

export type ShopperAccessLogQueryVariables = Exact<{
  userId?: string | null | undefined;
  staffUserId?: string | null | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ShopperAccessLogQuery = { shopperAccessLog: { edges: Array<{ node: { id: string, staffUserId: string, staffUsername: string | null, shopperId: string, what: ShopperAccessKind, at: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export const ClientReleaseFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClientReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ClientRelease"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"clientName"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"operationCount"}},{"kind":"Field","name":{"kind":"Name","value":"contentHash"}},{"kind":"Field","name":{"kind":"Name","value":"registeredAt"}},{"kind":"Field","name":{"kind":"Name","value":"registeredBy"}},{"kind":"Field","name":{"kind":"Name","value":"retiredAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"requestsLast7Days"}}]}}]} as unknown as DocumentNode<ClientReleaseFieldsFragment, unknown>;
export const OpenAppFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenAppFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenApp"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"corpName"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"minuteLimit"}},{"kind":"Field","name":{"kind":"Name","value":"dailyLimit"}},{"kind":"Field","name":{"kind":"Name","value":"grantedMethods"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"secretRotatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretValidUntil"}}]}}]} as unknown as DocumentNode<OpenAppFieldsFragment, unknown>;
export const OpenSessionFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenSessionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenSession"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"merchant"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"tokenHint"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<OpenSessionFieldsFragment, unknown>;
export const LoginDocument = {"__meta__":{"hash":"sha256:e22b348f2463ac85c7ca4eb1358ffc743e0a06340c8171789d108b4110bc6b20"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Login"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LoginInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"expiresIn"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}}]}}]}}]} as unknown as DocumentNode<LoginMutation, LoginMutationVariables>;
export const RefreshTokenDocument = {"__meta__":{"hash":"sha256:975b03f8a157a2a8a9eb9b14f5fa2cb8939ecd3b1a9ff44f3530b945a913721c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"expiresIn"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}}]}}]}}]} as unknown as DocumentNode<RefreshTokenMutation, RefreshTokenMutationVariables>;
export const LogoutDocument = {"__meta__":{"hash":"sha256:cb1d14c1cc99a25294cfa4376de2402364cb32e6c038a11fb36cf0ebb3a5ce91"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Logout"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logout"}}]}}]} as unknown as DocumentNode<LogoutMutation, LogoutMutationVariables>;
export const ConsoleViewerDocument = {"__meta__":{"hash":"sha256:11e6c57de4eb7c3e8c82f42d439c986d8523cfffd00410391258aec463cd622b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleViewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"me"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}}]}},{"kind":"Field","name":{"kind":"Name","value":"myConsoleMenus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"parentKey"}},{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"scope"}}]}}]}}]} as unknown as DocumentNode<ConsoleViewerQuery, ConsoleViewerQueryVariables>;
export const MyStaffAccountDocument = {"__meta__":{"hash":"sha256:03e95ab615af7bee2943ab27ab25f50e2a1f975fff285d9be359e5886aa9c416"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MyStaffAccount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"myStaffAccount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"realName"}},{"kind":"Field","name":{"kind":"Name","value":"allStores"}},{"kind":"Field","name":{"kind":"Name","value":"stores"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<MyStaffAccountQuery, MyStaffAccountQueryVariables>;
export const BackOfficeStoresDocument = {"__meta__":{"hash":"sha256:27d0065fa21289d01b523a978b0dc9819d0aa77059573052dad47fd870a635f4"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BackOfficeStores"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"StoreFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stores"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"businessStatus"}},{"kind":"Field","name":{"kind":"Name","value":"franchisee"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"branch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<BackOfficeStoresQuery, BackOfficeStoresQueryVariables>;
export const IdentifyMemberDocument = {"__meta__":{"hash":"sha256:8497a9f18a282f9edca6a3ebb053afb10717eddec24034b3f33eb8d69b50c9b0"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"IdentifyMember"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"identifyMember"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"storeCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}}},{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"maskedPhone"}},{"kind":"Field","name":{"kind":"Name","value":"couponId"}},{"kind":"Field","name":{"kind":"Name","value":"membership"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]}}]} as unknown as DocumentNode<IdentifyMemberQuery, IdentifyMemberQueryVariables>;
export const RedeemCouponAtStoreDocument = {"__meta__":{"hash":"sha256:895bceaf7e5ae8e67e407618afbf3fa6a8c4f8d23bf39d94924e46f39b2e17de"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RedeemCouponAtStore"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"redeemCouponAtStore"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"storeCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}}},{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"couponId"}},{"kind":"Field","name":{"kind":"Name","value":"storeCode"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"redeemedAt"}}]}}]}}]} as unknown as DocumentNode<RedeemCouponAtStoreMutation, RedeemCouponAtStoreMutationVariables>;
export const StoreRedemptionsDocument = {"__meta__":{"hash":"sha256:701789e9b330f3aa932fdd06c84a52811cf1a397c5919d788b7f6c56b943bb2d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StoreRedemptions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"storeRedemptions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"storeCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}}},{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"couponId"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"staffUserId"}},{"kind":"Field","name":{"kind":"Name","value":"terminalId"}},{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"redeemedAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<StoreRedemptionsQuery, StoreRedemptionsQueryVariables>;
export const StaffAccountsDocument = {"__meta__":{"hash":"sha256:281cc28c0d58a057cebb60ec0674730afe837f67883c69ea253625ec5863e7b9"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StaffAccounts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"StaffAccountFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"staffAccounts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"realName"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"allStores"}},{"kind":"Field","name":{"kind":"Name","value":"disabled"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}},{"kind":"Field","name":{"kind":"Name","value":"stores"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<StaffAccountsQuery, StaffAccountsQueryVariables>;
export const BackOfficeRolesDocument = {"__meta__":{"hash":"sha256:0ab746ea4a1f56b5c355629701c464cddd0696497e88ef0785eba8bfcf8e0cba"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BackOfficeRoles"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"staffRoles"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"builtIn"}}]}},{"kind":"Field","name":{"kind":"Name","value":"staffPermissions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"description"}}]}}]}}]} as unknown as DocumentNode<BackOfficeRolesQuery, BackOfficeRolesQueryVariables>;
export const CreateStaffAccountDocument = {"__meta__":{"hash":"sha256:a05409fa3e9a1dcfd1521d5823f67f239dbc2dec7982bb919a3f77b1796831ab"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateStaffAccount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateStaffAccountInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createStaffAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"realName"}},{"kind":"Field","name":{"kind":"Name","value":"disabled"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}},{"kind":"Field","name":{"kind":"Name","value":"stores"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<CreateStaffAccountMutation, CreateStaffAccountMutationVariables>;
export const SetStaffAccountDisabledDocument = {"__meta__":{"hash":"sha256:72a970cbb1ffaa9f835ccfb7471a288ed78e4cc7b4a5314075400cea34958ada"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetStaffAccountDisabled"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"disabled"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setStaffAccountDisabled"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"disabled"},"value":{"kind":"Variable","name":{"kind":"Name","value":"disabled"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"disabled"}}]}}]}}]} as unknown as DocumentNode<SetStaffAccountDisabledMutation, SetStaffAccountDisabledMutationVariables>;
export const ResetStaffPasswordDocument = {"__meta__":{"hash":"sha256:c4bc2659162932deb13bd6b4a3a1d73c12f13d6e179cf321ea390f38280ff8f8"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ResetStaffPassword"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"password"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resetStaffPassword"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"password"},"value":{"kind":"Variable","name":{"kind":"Name","value":"password"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<ResetStaffPasswordMutation, ResetStaffPasswordMutationVariables>;
export const StoreStatisticsDocument = {"__meta__":{"hash":"sha256:405550dc5878cba1c1844a7a6a7fff6f27688c83dfd64c633b419157ccd9f8be"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StoreStatistics"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"storeStatistics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"storeCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}}},{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"storeCode"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ordersPlaced"}},{"kind":"Field","name":{"kind":"Name","value":"ordersPaid"}},{"kind":"Field","name":{"kind":"Name","value":"salesAmount"}},{"kind":"Field","name":{"kind":"Name","value":"ordersCancelled"}},{"kind":"Field","name":{"kind":"Name","value":"ordersRefunded"}},{"kind":"Field","name":{"kind":"Name","value":"refundedAmount"}},{"kind":"Field","name":{"kind":"Name","value":"couponsRedeemed"}},{"kind":"Field","name":{"kind":"Name","value":"couponAmount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"ordersPaid"}},{"kind":"Field","name":{"kind":"Name","value":"salesAmount"}},{"kind":"Field","name":{"kind":"Name","value":"couponsRedeemed"}},{"kind":"Field","name":{"kind":"Name","value":"couponAmount"}}]}}]}}]}}]} as unknown as DocumentNode<StoreStatisticsQuery, StoreStatisticsQueryVariables>;
export const StoreSkuSalesDocument = {"__meta__":{"hash":"sha256:cc88a8db5ec2cfede9e2fc02d4dd572e028b67a9727f8916fa403180b0d6dc58"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StoreSkuSales"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"storeSkuSales"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"storeCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}}},{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"skuId"}},{"kind":"Field","name":{"kind":"Name","value":"productId"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}},{"kind":"Field","name":{"kind":"Name","value":"orders"}}]}}]}}]} as unknown as DocumentNode<StoreSkuSalesQuery, StoreSkuSalesQueryVariables>;
export const TerminalsDocument = {"__meta__":{"hash":"sha256:2bd4742c9eb18ee795ab2abba06cb8ac33dd1cacaae582e44799a1a92a0ee505"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Terminals"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"terminals"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"storeCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<TerminalsQuery, TerminalsQueryVariables>;
export const IssueTerminalBindingCodeDocument = {"__meta__":{"hash":"sha256:5cf633881b15385aafa7b106243405ef8d8912e3c8aaaa4e6f35538fe75a6822"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"IssueTerminalBindingCode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issueTerminalBindingCode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"storeCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"storeCode"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"storeCode"}}]}}]}}]} as unknown as DocumentNode<IssueTerminalBindingCodeMutation, IssueTerminalBindingCodeMutationVariables>;
export const RevokeTerminalDocument = {"__meta__":{"hash":"sha256:00813f32389de8453e9031b60fb92ceceb1e97f66953c7e97755c5334a1e6b8a"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeTerminal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeTerminal"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]}}]} as unknown as DocumentNode<RevokeTerminalMutation, RevokeTerminalMutationVariables>;
export const UpdateStaffAccountDocument = {"__meta__":{"hash":"sha256:19431d71725a0a3f8fe534da9b7c192104decaad61d30099ea07ac936ef12c9e"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateStaffAccount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateStaffAccountInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateStaffAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"realName"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"roles"}},{"kind":"Field","name":{"kind":"Name","value":"stores"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateStaffAccountMutation, UpdateStaffAccountMutationVariables>;
export const FranchiseesDocument = {"__meta__":{"hash":"sha256:d3befffc2934e4a32fd430d9dd6abd9df7f8795affa41a30b3d2c5dffd7241f6"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Franchisees"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DirectoryFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"franchisees"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"contactName"}},{"kind":"Field","name":{"kind":"Name","value":"contactPhone"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<FranchiseesQuery, FranchiseesQueryVariables>;
export const SalesBranchesDocument = {"__meta__":{"hash":"sha256:540b2eca3ae9699064862d7eb11dbdcd9fd5dc2a552b23b1d6e941d20ad0a064"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SalesBranches"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DirectoryFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"salesBranches"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<SalesBranchesQuery, SalesBranchesQueryVariables>;
export const UpsertFranchiseeDocument = {"__meta__":{"hash":"sha256:101fbd1993248aee7ebe3c7de4575a93b0e8e0f37731a4d827d55463350e4a9f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpsertFranchisee"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"FranchiseeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upsertFranchisee"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"contactName"}},{"kind":"Field","name":{"kind":"Name","value":"contactPhone"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<UpsertFranchiseeMutation, UpsertFranchiseeMutationVariables>;
export const UpsertSalesBranchDocument = {"__meta__":{"hash":"sha256:2fece243e2f5b10216cedcfd40dd1a3e59ab73a5ea810bf3974ef33991bf254e"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpsertSalesBranch"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SalesBranchInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upsertSalesBranch"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<UpsertSalesBranchMutation, UpsertSalesBranchMutationVariables>;
export const BackOfficeStoreDocument = {"__meta__":{"hash":"sha256:e5326c65c065b69ac1c7f057ae410ec52aea1fc7202fed7b7ec60588df8d3a39"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BackOfficeStore"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"store"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"businessStatus"}},{"kind":"Field","name":{"kind":"Name","value":"franchisee"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"branch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<BackOfficeStoreQuery, BackOfficeStoreQueryVariables>;
export const UpsertStoreDocument = {"__meta__":{"hash":"sha256:b9f718333cae5209149ebb8d7929436876f0152fba1c104a2a772f79e3705627"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpsertStore"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StoreInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upsertStore"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"address"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"businessStatus"}},{"kind":"Field","name":{"kind":"Name","value":"franchisee"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"branch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<UpsertStoreMutation, UpsertStoreMutationVariables>;
export const SetStoreBusinessStatusDocument = {"__meta__":{"hash":"sha256:54899733edbea88aadbac3d8b15829e232b497bab3981b7c80583f3dc982ef62"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetStoreBusinessStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"code"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"businessStatus"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"StoreBusinessStatus"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setStoreBusinessStatus"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"code"},"value":{"kind":"Variable","name":{"kind":"Name","value":"code"}}},{"kind":"Argument","name":{"kind":"Name","value":"businessStatus"},"value":{"kind":"Variable","name":{"kind":"Name","value":"businessStatus"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"businessStatus"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<SetStoreBusinessStatusMutation, SetStoreBusinessStatusMutationVariables>;
export const BackOfficeTerminalDocument = {"__meta__":{"hash":"sha256:5625917f4c08c4813431e354e5e8d4d09c7786ebce63ca381c3204837ae0eeda"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BackOfficeTerminal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"terminal"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"deviceId"}},{"kind":"Field","name":{"kind":"Name","value":"store"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"boundAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]}}]} as unknown as DocumentNode<BackOfficeTerminalQuery, BackOfficeTerminalQueryVariables>;
export const CreateStaffRoleDocument = {"__meta__":{"hash":"sha256:1dd095bfd788d4a3ea49581bd382e7f48c23a85fa353b6c980a169f489e02790"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateStaffRole"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"scopes"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createStaffRole"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"scopes"},"value":{"kind":"Variable","name":{"kind":"Name","value":"scopes"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"builtIn"}}]}}]}}]} as unknown as DocumentNode<CreateStaffRoleMutation, CreateStaffRoleMutationVariables>;
export const UpdateStaffRoleDocument = {"__meta__":{"hash":"sha256:26530e17b5d3ecf0f2b426c7ec470af8e4651791e28b2089f5c48402af97cf05"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateStaffRole"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"scopes"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateStaffRole"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}},{"kind":"Argument","name":{"kind":"Name","value":"scopes"},"value":{"kind":"Variable","name":{"kind":"Name","value":"scopes"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"builtIn"}}]}}]}}]} as unknown as DocumentNode<UpdateStaffRoleMutation, UpdateStaffRoleMutationVariables>;
export const DeleteStaffRoleDocument = {"__meta__":{"hash":"sha256:92f0ccbdae0683cccfca11f905ef5a837c8509e4e984e88165694e6298d9fc36"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteStaffRole"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"name"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteStaffRole"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"name"},"value":{"kind":"Variable","name":{"kind":"Name","value":"name"}}}]}]}}]} as unknown as DocumentNode<DeleteStaffRoleMutation, DeleteStaffRoleMutationVariables>;
export const MemberCardsDocument = {"__meta__":{"hash":"sha256:04c7e3b53a4a375f6ca211574b3e166b23b27f466002ba8c150dbf92bd99d0ad"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MemberCards"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"memberCards"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"number"}}]}}]}}]} as unknown as DocumentNode<MemberCardsQuery, MemberCardsQueryVariables>;
export const SetMemberCardDocument = {"__meta__":{"hash":"sha256:115314fcca82a572c070f4473d4c17d49c5bb45138eb6d2b7537433d7d453e89"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetMemberCard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"kind"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MemberCardKind"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"number"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setMemberCard"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}},{"kind":"Argument","name":{"kind":"Name","value":"kind"},"value":{"kind":"Variable","name":{"kind":"Name","value":"kind"}}},{"kind":"Argument","name":{"kind":"Name","value":"number"},"value":{"kind":"Variable","name":{"kind":"Name","value":"number"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"number"}}]}}]}}]} as unknown as DocumentNode<SetMemberCardMutation, SetMemberCardMutationVariables>;
export const CatalogProductsDocument = {"__meta__":{"hash":"sha256:969a2899b4838e7344cf082eb0558fa07ab7cb970342ef73a2d83d33d6e3b4d8"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CatalogProducts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ProductFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"products"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"onShelf"}},{"kind":"Field","name":{"kind":"Name","value":"minPrice"}},{"kind":"Field","name":{"kind":"Name","value":"skus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"stock"}},{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"barcode"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<CatalogProductsQuery, CatalogProductsQueryVariables>;
export const UpdateSkuPriceDocument = {"__meta__":{"hash":"sha256:a0d8b6052a1e0dca4b919365b262d9f90664fa5e11094b0ddea6253796c66082"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateSkuPrice"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"price"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSku"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"price"},"value":{"kind":"Variable","name":{"kind":"Name","value":"price"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"stock"}}]}}]}}]} as unknown as DocumentNode<UpdateSkuPriceMutation, UpdateSkuPriceMutationVariables>;
export const SetProductOnShelfDocument = {"__meta__":{"hash":"sha256:ada0fcb428f8a2d6ba2a7ee2d3f3ee25f4774344d878163fdd59573dacc9f590"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetProductOnShelf"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"onShelf"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setProductOnShelf"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"onShelf"},"value":{"kind":"Variable","name":{"kind":"Name","value":"onShelf"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"onShelf"}}]}}]}}]} as unknown as DocumentNode<SetProductOnShelfMutation, SetProductOnShelfMutationVariables>;
export const UpdateSkuStockDocument = {"__meta__":{"hash":"sha256:5fb6cf0b50bab608c4e285edcca41dd553832d8ea0df2fcd2d40e7c4a0d9c875"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateSkuStock"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"stock"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateSku"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"stock"},"value":{"kind":"Variable","name":{"kind":"Name","value":"stock"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"price"}},{"kind":"Field","name":{"kind":"Name","value":"stock"}},{"kind":"Field","name":{"kind":"Name","value":"available"}}]}}]}}]} as unknown as DocumentNode<UpdateSkuStockMutation, UpdateSkuStockMutationVariables>;
export const ClientReleasesDocument = {"__meta__":{"hash":"sha256:7990399ee739e6552e42b493a8ac23d5c890312a20e5eec78686b11851db9f09"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ClientReleases"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clientReleases"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ClientReleaseFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"clientSafelistModes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clientName"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClientReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ClientRelease"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"clientName"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"operationCount"}},{"kind":"Field","name":{"kind":"Name","value":"contentHash"}},{"kind":"Field","name":{"kind":"Name","value":"registeredAt"}},{"kind":"Field","name":{"kind":"Name","value":"registeredBy"}},{"kind":"Field","name":{"kind":"Name","value":"retiredAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"requestsLast7Days"}}]}}]} as unknown as DocumentNode<ClientReleasesQuery, ClientReleasesQueryVariables>;
export const SetClientSafelistModeDocument = {"__meta__":{"hash":"sha256:7571d501dbf4d43bbd6c9dc215174ce745d501337a2d761985e9c59b37ebcc30"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetClientSafelistMode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"clientName"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"mode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SafelistMode"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setClientSafelistMode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"clientName"},"value":{"kind":"Variable","name":{"kind":"Name","value":"clientName"}}},{"kind":"Argument","name":{"kind":"Name","value":"mode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"mode"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"clientName"}},{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}}]}}]}}]} as unknown as DocumentNode<SetClientSafelistModeMutation, SetClientSafelistModeMutationVariables>;
export const RetireClientReleaseDocument = {"__meta__":{"hash":"sha256:a3b7ad8d1faaf82faaddb4da5979dd34d7770934256b9dec207b4f13d09019d7"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RetireClientRelease"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"clientName"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"version"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retireClientRelease"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"clientName"},"value":{"kind":"Variable","name":{"kind":"Name","value":"clientName"}}},{"kind":"Argument","name":{"kind":"Name","value":"version"},"value":{"kind":"Variable","name":{"kind":"Name","value":"version"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ClientReleaseFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ClientReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ClientRelease"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"clientName"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"operationCount"}},{"kind":"Field","name":{"kind":"Name","value":"contentHash"}},{"kind":"Field","name":{"kind":"Name","value":"registeredAt"}},{"kind":"Field","name":{"kind":"Name","value":"registeredBy"}},{"kind":"Field","name":{"kind":"Name","value":"retiredAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"requestsLast7Days"}}]}}]} as unknown as DocumentNode<RetireClientReleaseMutation, RetireClientReleaseMutationVariables>;
export const CouponTemplatesDocument = {"__meta__":{"hash":"sha256:4ba707208f7d0a1ae83c0d1131a175191801f741c0893b7f2231647b2ff77330"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CouponTemplates"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"couponTemplates"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"minSpend"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"claimable"}},{"kind":"Field","name":{"kind":"Name","value":"issuedCount"}},{"kind":"Field","name":{"kind":"Name","value":"totalQuantity"}},{"kind":"Field","name":{"kind":"Name","value":"remainingQuantity"}},{"kind":"Field","name":{"kind":"Name","value":"validFrom"}},{"kind":"Field","name":{"kind":"Name","value":"validUntil"}},{"kind":"Field","name":{"kind":"Name","value":"validDays"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"categoryIds"}},{"kind":"Field","name":{"kind":"Name","value":"productIds"}},{"kind":"Field","name":{"kind":"Name","value":"perUserLimit"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<CouponTemplatesQuery, CouponTemplatesQueryVariables>;
export const CouponCodesDocument = {"__meta__":{"hash":"sha256:a995f8efe932eeac00115e810c633ff37131004e5f660488aa01a58b6db0d642"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CouponCodes"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"CouponCodeFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"couponCodes"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"disabledAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"redeemedAt"}},{"kind":"Field","name":{"kind":"Name","value":"redeemedBy"}},{"kind":"Field","name":{"kind":"Name","value":"template"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CouponCodesQuery, CouponCodesQueryVariables>;
export const CreateCouponTemplateDocument = {"__meta__":{"hash":"sha256:660855fec86d6354a438137abcc3fbce1cfc93e1e86573be0163d331fcde7505"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateCouponTemplate"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CouponTemplateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCouponTemplate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"minSpend"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"claimable"}},{"kind":"Field","name":{"kind":"Name","value":"issuedCount"}},{"kind":"Field","name":{"kind":"Name","value":"totalQuantity"}},{"kind":"Field","name":{"kind":"Name","value":"remainingQuantity"}},{"kind":"Field","name":{"kind":"Name","value":"validFrom"}},{"kind":"Field","name":{"kind":"Name","value":"validUntil"}},{"kind":"Field","name":{"kind":"Name","value":"validDays"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"categoryIds"}},{"kind":"Field","name":{"kind":"Name","value":"productIds"}},{"kind":"Field","name":{"kind":"Name","value":"perUserLimit"}}]}}]}}]} as unknown as DocumentNode<CreateCouponTemplateMutation, CreateCouponTemplateMutationVariables>;
export const SetCouponTemplateActiveDocument = {"__meta__":{"hash":"sha256:469d7cb164e18489c1934184b277e3dd9681879dd27316b1931fe932780fc572"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetCouponTemplateActive"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"active"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setCouponTemplateActive"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"active"},"value":{"kind":"Variable","name":{"kind":"Name","value":"active"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"active"}}]}}]}}]} as unknown as DocumentNode<SetCouponTemplateActiveMutation, SetCouponTemplateActiveMutationVariables>;
export const CreateCouponCodesDocument = {"__meta__":{"hash":"sha256:4ffa49b3dfd9c01035f33215ed14dfe2d941602a28efe4bf82f217ae6b29c8a2"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateCouponCodes"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"templateId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"count"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCouponCodes"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"templateId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"templateId"}}},{"kind":"Argument","name":{"kind":"Name","value":"count"},"value":{"kind":"Variable","name":{"kind":"Name","value":"count"}}}]}]}}]} as unknown as DocumentNode<CreateCouponCodesMutation, CreateCouponCodesMutationVariables>;
export const UpdateCouponTemplateDocument = {"__meta__":{"hash":"sha256:af128229343d0ee648801a51b4fdf9457318f3fc0eed5969140ead8fb409782c"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateCouponTemplate"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateCouponTemplateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateCouponTemplate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"minSpend"}},{"kind":"Field","name":{"kind":"Name","value":"active"}},{"kind":"Field","name":{"kind":"Name","value":"claimable"}},{"kind":"Field","name":{"kind":"Name","value":"issuedCount"}},{"kind":"Field","name":{"kind":"Name","value":"totalQuantity"}},{"kind":"Field","name":{"kind":"Name","value":"remainingQuantity"}},{"kind":"Field","name":{"kind":"Name","value":"validFrom"}},{"kind":"Field","name":{"kind":"Name","value":"validUntil"}},{"kind":"Field","name":{"kind":"Name","value":"validDays"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scope"}},{"kind":"Field","name":{"kind":"Name","value":"categoryIds"}},{"kind":"Field","name":{"kind":"Name","value":"productIds"}},{"kind":"Field","name":{"kind":"Name","value":"perUserLimit"}}]}}]}}]} as unknown as DocumentNode<UpdateCouponTemplateMutation, UpdateCouponTemplateMutationVariables>;
export const CouponCategoriesDocument = {"__meta__":{"hash":"sha256:64690a7aec4840ab00a1335c6c4fdf3de158a7aba3cae519c1f445e72a1981f8"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CouponCategories"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"categories"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"children"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<CouponCategoriesQuery, CouponCategoriesQueryVariables>;
export const UpdateCouponCodeDocument = {"__meta__":{"hash":"sha256:7e15d1670b546847d2c2680da8030a74512cfd8c8070e121613da302e0f5fcb7"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateCouponCode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateCouponCodeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateCouponCode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"disabledAt"}}]}}]}}]} as unknown as DocumentNode<UpdateCouponCodeMutation, UpdateCouponCodeMutationVariables>;
export const DeleteCouponCodeDocument = {"__meta__":{"hash":"sha256:67620cae0a6c30d95caff3658c6596268d8a1dd76105aae278e2e7f762c90543"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteCouponCode"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteCouponCode"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deletedAt"}}]}}]}}]} as unknown as DocumentNode<DeleteCouponCodeMutation, DeleteCouponCodeMutationVariables>;
export const OpenCallsPerMinuteDocument = {"__meta__":{"hash":"sha256:f147fdc404deb579fe91921859893d6d0d034b5589eb61732d5f2edd22ff25c8"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpenCallsPerMinute"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"openCallsPerMinute"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minute"}},{"kind":"Field","name":{"kind":"Name","value":"calls"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"averageMs"}},{"kind":"Field","name":{"kind":"Name","value":"maxMs"}}]}}]}}]} as unknown as DocumentNode<OpenCallsPerMinuteQuery, OpenCallsPerMinuteQueryVariables>;
export const StockStatisticsDocument = {"__meta__":{"hash":"sha256:aa54077546f840fc2b6e2b0b1585dd27f026c1608a6ad862c3cce7899c65c73f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StockStatistics"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"StockStatisticsFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stockStatistics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"storeCode"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sku"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}}]}},{"kind":"Field","name":{"kind":"Name","value":"productId"}},{"kind":"Field","name":{"kind":"Name","value":"productTitle"}},{"kind":"Field","name":{"kind":"Name","value":"skuName"}},{"kind":"Field","name":{"kind":"Name","value":"opening"}},{"kind":"Field","name":{"kind":"Name","value":"added"}},{"kind":"Field","name":{"kind":"Name","value":"removed"}},{"kind":"Field","name":{"kind":"Name","value":"sold"}},{"kind":"Field","name":{"kind":"Name","value":"returned"}},{"kind":"Field","name":{"kind":"Name","value":"closing"}},{"kind":"Field","name":{"kind":"Name","value":"reserved"}},{"kind":"Field","name":{"kind":"Name","value":"available"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<StockStatisticsQuery, StockStatisticsQueryVariables>;
export const OpenAppsDocument = {"__meta__":{"hash":"sha256:6254ce5396771e32696c434879b7f3b71f7948f0a727aa6bb8db49498ec12abd"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpenApps"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"openApps"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpenAppFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenAppFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenApp"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"corpName"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"minuteLimit"}},{"kind":"Field","name":{"kind":"Name","value":"dailyLimit"}},{"kind":"Field","name":{"kind":"Name","value":"grantedMethods"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"secretRotatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretValidUntil"}}]}}]} as unknown as DocumentNode<OpenAppsQuery, OpenAppsQueryVariables>;
export const CreateOpenAppDocument = {"__meta__":{"hash":"sha256:a9258cb219f7d06c78f854334e8137c9b1fd3b857d9bbd6e77b5a23dfd183641"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateOpenApp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateOpenAppInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createOpenApp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"app"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpenAppFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenAppFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenApp"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"corpName"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"minuteLimit"}},{"kind":"Field","name":{"kind":"Name","value":"dailyLimit"}},{"kind":"Field","name":{"kind":"Name","value":"grantedMethods"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"secretRotatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretValidUntil"}}]}}]} as unknown as DocumentNode<CreateOpenAppMutation, CreateOpenAppMutationVariables>;
export const RotateOpenAppSecretDocument = {"__meta__":{"hash":"sha256:8f691b3676e53a3c83809cc25bd3749fb9adbb0de56c429a6e06cab9d9eaeb35"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RotateOpenAppSecret"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rotateOpenAppSecret"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"appKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"app"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpenAppFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenAppFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenApp"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"corpName"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"minuteLimit"}},{"kind":"Field","name":{"kind":"Name","value":"dailyLimit"}},{"kind":"Field","name":{"kind":"Name","value":"grantedMethods"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"secretRotatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretValidUntil"}}]}}]} as unknown as DocumentNode<RotateOpenAppSecretMutation, RotateOpenAppSecretMutationVariables>;
export const UpdateOpenAppDocument = {"__meta__":{"hash":"sha256:4f822b397faae906add4054f158e350467a97f41e275fbad71c9feb76e896a9b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateOpenApp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateOpenAppInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateOpenApp"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"appKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpenAppFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenAppFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenApp"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"corpName"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"minuteLimit"}},{"kind":"Field","name":{"kind":"Name","value":"dailyLimit"}},{"kind":"Field","name":{"kind":"Name","value":"grantedMethods"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"secretRotatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretValidUntil"}}]}}]} as unknown as DocumentNode<UpdateOpenAppMutation, UpdateOpenAppMutationVariables>;
export const GrantOpenApiDocument = {"__meta__":{"hash":"sha256:d109cb3cb171851190b775720804a92e167df05962223d952b70673e6addbd95"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"GrantOpenApi"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"method"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"grantOpenApi"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"appKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}}},{"kind":"Argument","name":{"kind":"Name","value":"method"},"value":{"kind":"Variable","name":{"kind":"Name","value":"method"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpenAppFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenAppFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenApp"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"corpName"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"minuteLimit"}},{"kind":"Field","name":{"kind":"Name","value":"dailyLimit"}},{"kind":"Field","name":{"kind":"Name","value":"grantedMethods"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"secretRotatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretValidUntil"}}]}}]} as unknown as DocumentNode<GrantOpenApiMutation, GrantOpenApiMutationVariables>;
export const RevokeOpenApiGrantDocument = {"__meta__":{"hash":"sha256:abde9d32bdb6de213640527676ac0ae465a98dd86fb9adf239fdd1ad12076bee"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeOpenApiGrant"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"method"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeOpenApiGrant"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"appKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}}},{"kind":"Argument","name":{"kind":"Name","value":"method"},"value":{"kind":"Variable","name":{"kind":"Name","value":"method"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpenAppFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenAppFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenApp"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"corpName"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"minuteLimit"}},{"kind":"Field","name":{"kind":"Name","value":"dailyLimit"}},{"kind":"Field","name":{"kind":"Name","value":"grantedMethods"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"secretRotatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretValidUntil"}}]}}]} as unknown as DocumentNode<RevokeOpenApiGrantMutation, RevokeOpenApiGrantMutationVariables>;
export const OpenSessionsDocument = {"__meta__":{"hash":"sha256:552a747fabf3327e3852691a1fd4b1127a982e65ef8ec50e42077021a3b45966"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpenSessions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"openSessions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"appKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpenSessionFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenSessionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenSession"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"merchant"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"tokenHint"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<OpenSessionsQuery, OpenSessionsQueryVariables>;
export const OpenApisDocument = {"__meta__":{"hash":"sha256:288db26d6297f309da21d34281860c01e845a3127addda19d605ab6daa81dadc"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpenApis"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"openApis"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"method"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"idempotent"}},{"kind":"Field","name":{"kind":"Name","value":"cost"}},{"kind":"Field","name":{"kind":"Name","value":"maxConcurrency"}},{"kind":"Field","name":{"kind":"Name","value":"alertThresholdMs"}},{"kind":"Field","name":{"kind":"Name","value":"description"}}]}}]}}]} as unknown as DocumentNode<OpenApisQuery, OpenApisQueryVariables>;
export const OpenCallLogsDocument = {"__meta__":{"hash":"sha256:2662f45df0a798437df3784fc577422578368ee469959f143626a496abe1480a"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpenCallLogs"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"OpenCallLogFilter"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"openCallLogs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"method"}},{"kind":"Field","name":{"kind":"Name","value":"merchant"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"admitted"}},{"kind":"Field","name":{"kind":"Name","value":"responseTimeMs"}},{"kind":"Field","name":{"kind":"Name","value":"gateway"}},{"kind":"Field","name":{"kind":"Name","value":"requestHighlight"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"match"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<OpenCallLogsQuery, OpenCallLogsQueryVariables>;
export const OpenCallStatisticsDocument = {"__meta__":{"hash":"sha256:99ee7a422100956965a4ccad741c59be7c01f1f7cf24b329d3eae22b85f9f87f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpenCallStatistics"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"method"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"openCallStatistics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"appKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"appKey"}}},{"kind":"Argument","name":{"kind":"Name","value":"method"},"value":{"kind":"Variable","name":{"kind":"Name","value":"method"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"method"}},{"kind":"Field","name":{"kind":"Name","value":"calls"}},{"kind":"Field","name":{"kind":"Name","value":"errors"}},{"kind":"Field","name":{"kind":"Name","value":"averageMs"}},{"kind":"Field","name":{"kind":"Name","value":"maxMs"}}]}}]}}]} as unknown as DocumentNode<OpenCallStatisticsQuery, OpenCallStatisticsQueryVariables>;
export const OpenTodayRankingDocument = {"__meta__":{"hash":"sha256:1673bff260177ed14f9b2e17a1ff7128203b9e81f9918dd742cb18bdf697549d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpenTodayRanking"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"limit"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"openTodayRanking"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"Variable","name":{"kind":"Name","value":"limit"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"entries"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rank"}},{"kind":"Field","name":{"kind":"Name","value":"method"}},{"kind":"Field","name":{"kind":"Name","value":"calls"}}]}}]}}]}}]} as unknown as DocumentNode<OpenTodayRankingQuery, OpenTodayRankingQueryVariables>;
export const OpenAlertsDocument = {"__meta__":{"hash":"sha256:e0df42f31815bdad7769e51522e637404bba1967b9643f58c6eecdd1b4a798fb"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpenAlerts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"openAlerts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"method"}},{"kind":"Field","name":{"kind":"Name","value":"averageMs"}},{"kind":"Field","name":{"kind":"Name","value":"thresholdMs"}},{"kind":"Field","name":{"kind":"Name","value":"calls"}},{"kind":"Field","name":{"kind":"Name","value":"windowStart"}},{"kind":"Field","name":{"kind":"Name","value":"windowEnd"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OpenAlertsQuery, OpenAlertsQueryVariables>;
export const CreateOpenSessionDocument = {"__meta__":{"hash":"sha256:af21d2efb7735e2fcc1cac99222e838d886c198aa412fb6393808f96bc8c4ace"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateOpenSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateOpenSessionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createOpenSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"session"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpenSessionFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenSessionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenSession"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"merchant"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"tokenHint"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<CreateOpenSessionMutation, CreateOpenSessionMutationVariables>;
export const RevokeOpenSessionDocument = {"__meta__":{"hash":"sha256:0673666f60e2abb55c7dec30c3e588afa82c689fecab5ed46c7e313af93a74e7"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeOpenSession"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeOpenSession"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpenSessionFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpenSessionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"OpenSession"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appKey"}},{"kind":"Field","name":{"kind":"Name","value":"merchant"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"tokenHint"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}}]}}]} as unknown as DocumentNode<RevokeOpenSessionMutation, RevokeOpenSessionMutationVariables>;
export const StaffOrdersDocument = {"__meta__":{"hash":"sha256:b0e590b6f05bdb5e222f6ffb449d818aafe55bc0139284a72a312d2b4742bfcd"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StaffOrders"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"StaffOrderFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"staffOrders"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"orderNo"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"shopperId"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"paidAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<StaffOrdersQuery, StaffOrdersQueryVariables>;
export const OrderDetailDocument = {"__meta__":{"hash":"sha256:d8d77726a0d1fd109bf55ada5e060cd00249479124bf24f3b3f1f49794996be6"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OrderDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"order"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"orderNo"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"shopperId"}},{"kind":"Field","name":{"kind":"Name","value":"subtotal"}},{"kind":"Field","name":{"kind":"Name","value":"discount"}},{"kind":"Field","name":{"kind":"Name","value":"shippingFee"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"refundedAmount"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"paidAt"}},{"kind":"Field","name":{"kind":"Name","value":"shippedAt"}},{"kind":"Field","name":{"kind":"Name","value":"completedAt"}},{"kind":"Field","name":{"kind":"Name","value":"cancelledAt"}},{"kind":"Field","name":{"kind":"Name","value":"cancelReason"}},{"kind":"Field","name":{"kind":"Name","value":"carrier"}},{"kind":"Field","name":{"kind":"Name","value":"trackingNo"}},{"kind":"Field","name":{"kind":"Name","value":"shippingAddress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contactName"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"province"}},{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"district"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}}]}},{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"skuName"}},{"kind":"Field","name":{"kind":"Name","value":"unitPrice"}},{"kind":"Field","name":{"kind":"Name","value":"quantity"}}]}},{"kind":"Field","name":{"kind":"Name","value":"statusHistory"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"payment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"method"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"paidAt"}},{"kind":"Field","name":{"kind":"Name","value":"refundedAmount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"refunds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refundNo"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"settledAt"}},{"kind":"Field","name":{"kind":"Name","value":"failureReason"}}]}},{"kind":"Field","name":{"kind":"Name","value":"afterSales"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"staffNote"}}]}},{"kind":"Field","name":{"kind":"Name","value":"shipments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"carrier"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"trackingNumber"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"shippedAt"}}]}}]}}]}}]} as unknown as DocumentNode<OrderDetailQuery, OrderDetailQueryVariables>;
export const ShipOrderDocument = {"__meta__":{"hash":"sha256:e5c0116ece9563434c2381839ed6d54e98a988cce812b620c8384885a28db60b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ShipOrder"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"carrier"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"trackingNo"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"shipOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"carrier"},"value":{"kind":"Variable","name":{"kind":"Name","value":"carrier"}}},{"kind":"Argument","name":{"kind":"Name","value":"trackingNo"},"value":{"kind":"Variable","name":{"kind":"Name","value":"trackingNo"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"carrier"}},{"kind":"Field","name":{"kind":"Name","value":"trackingNo"}},{"kind":"Field","name":{"kind":"Name","value":"shippedAt"}}]}}]}}]} as unknown as DocumentNode<ShipOrderMutation, ShipOrderMutationVariables>;
export const ApproveAfterSaleDocument = {"__meta__":{"hash":"sha256:b8f00b180100acdcfe35526adc17293bb060dd0b3a59a2260e6d348829d7dd42"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ApproveAfterSale"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"note"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"approveRefundRequest"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"note"},"value":{"kind":"Variable","name":{"kind":"Name","value":"note"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"staffNote"}},{"kind":"Field","name":{"kind":"Name","value":"order"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"refundedAmount"}}]}}]}}]}}]} as unknown as DocumentNode<ApproveAfterSaleMutation, ApproveAfterSaleMutationVariables>;
export const RejectAfterSaleDocument = {"__meta__":{"hash":"sha256:56a016d5c353785868be003590545b9583f8234a0fe9fca662088d7588e3895b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RejectAfterSale"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"note"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rejectRefundRequest"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"note"},"value":{"kind":"Variable","name":{"kind":"Name","value":"note"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"staffNote"}}]}}]}}]} as unknown as DocumentNode<RejectAfterSaleMutation, RejectAfterSaleMutationVariables>;
export const OrderSalesTodayDocument = {"__meta__":{"hash":"sha256:2314ecd34cbce3396c01435d73509ba6e36deb56b83017e77e56a5dce1e77895"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OrderSalesToday"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderSalesToday"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"date"}},{"kind":"Field","name":{"kind":"Name","value":"orders"}},{"kind":"Field","name":{"kind":"Name","value":"paidOrders"}},{"kind":"Field","name":{"kind":"Name","value":"sales"}},{"kind":"Field","name":{"kind":"Name","value":"refunded"}},{"kind":"Field","name":{"kind":"Name","value":"hours"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hour"}},{"kind":"Field","name":{"kind":"Name","value":"orders"}},{"kind":"Field","name":{"kind":"Name","value":"sales"}}]}}]}}]}}]} as unknown as DocumentNode<OrderSalesTodayQuery, OrderSalesTodayQueryVariables>;
export const StaffRolesDocument = {"__meta__":{"hash":"sha256:27b2bc1d07ffea317c142fda103dc31d171ed94c67ad52fbc4e98d7eab89fd96"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StaffRoles"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"staffRoles"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"members"}},{"kind":"Field","name":{"kind":"Name","value":"menus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"consoleMenus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"parentKey"}},{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"scope"}}]}}]}}]} as unknown as DocumentNode<StaffRolesQuery, StaffRolesQueryVariables>;
export const SetRoleMenusDocument = {"__meta__":{"hash":"sha256:53291ceaa6ba469bdd26520135f8ee9c6eff1233867a39d5f8cb10e05f21e4bb"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetRoleMenus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"role"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"menuKeys"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setRoleMenus"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"role"},"value":{"kind":"Variable","name":{"kind":"Name","value":"role"}}},{"kind":"Argument","name":{"kind":"Name","value":"menuKeys"},"value":{"kind":"Variable","name":{"kind":"Name","value":"menuKeys"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"members"}},{"kind":"Field","name":{"kind":"Name","value":"menus"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}}]}}]}}]}}]} as unknown as DocumentNode<SetRoleMenusMutation, SetRoleMenusMutationVariables>;
export const ShoppersDocument = {"__meta__":{"hash":"sha256:28ec2cde26f93363a0182445bad4514d3c6274fdbf3c8be182d35b55a856c58f"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Shoppers"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ShopperFilter"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"shoppers"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"mobile"}},{"kind":"Field","name":{"kind":"Name","value":"registeredAt"}},{"kind":"Field","name":{"kind":"Name","value":"familyCount"}},{"kind":"Field","name":{"kind":"Name","value":"membership"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ShoppersQuery, ShoppersQueryVariables>;
export const ShopperDetailDocument = {"__meta__":{"hash":"sha256:e9f677bd10596cd95e26618516ed1c72d0076d5b5b50d0c20609ec463cb38e79"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ShopperDetail"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"shopper"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"nickname"}},{"kind":"Field","name":{"kind":"Name","value":"mobile"}},{"kind":"Field","name":{"kind":"Name","value":"registeredAt"}},{"kind":"Field","name":{"kind":"Name","value":"familyCount"}},{"kind":"Field","name":{"kind":"Name","value":"membership"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"addresses"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"contactName"}},{"kind":"Field","name":{"kind":"Name","value":"phone"}},{"kind":"Field","name":{"kind":"Name","value":"province"}},{"kind":"Field","name":{"kind":"Name","value":"city"}},{"kind":"Field","name":{"kind":"Name","value":"district"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}}]}},{"kind":"Field","name":{"kind":"Name","value":"wallet"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"balance"}},{"kind":"Field","name":{"kind":"Name","value":"bills"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"balanceAfter"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ShopperDetailQuery, ShopperDetailQueryVariables>;
export const ShopperAccessLogDocument = {"__meta__":{"hash":"sha256:e8624ed53cefa891ba1004027c51c565cf4038079d43855942df5aa63b67de1e"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ShopperAccessLog"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"staffUserId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"shopperAccessLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}},{"kind":"Argument","name":{"kind":"Name","value":"staffUserId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"staffUserId"}}},{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"staffUserId"}},{"kind":"Field","name":{"kind":"Name","value":"staffUsername"}},{"kind":"Field","name":{"kind":"Name","value":"shopperId"}},{"kind":"Field","name":{"kind":"Name","value":"what"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ShopperAccessLogQuery, ShopperAccessLogQueryVariables>;