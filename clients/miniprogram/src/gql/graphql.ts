/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** A delivery address. Text fields are trimmed and must not be empty. */
export type AddressInput = {
  /** City (at most 32 characters). */
  city: string;
  /** Who receives the parcel (at most 32 characters). */
  contactName: string;
  /** Street, building, room (at most 200 characters). */
  detail: string;
  /** District (at most 32 characters). */
  district: string;
  /**
   * true makes this the default address. false on the current default hands the default to the most recent other
   * address (a lone address stays the default). Left out: unchanged (a user's first address is always the default).
   */
  isDefault?: boolean | null | undefined;
  /** A mainland mobile number or a landline such as 010-12345678. */
  phone: string;
  /** Province (at most 32 characters). */
  province: string;
};

/**
 * What to check out: either cart lines (`cartItemIds`, the shopper's selected lines) or SKUs bought directly
 * (`items`) — exactly one of the two. Prices always come from the catalog; a client never sends one.
 */
export type CheckoutInput = {
  /** One of the shopper's addresses; its contents are copied onto the order. */
  addressId: string;
  /** The shopper's selected cart lines to buy (1..99). They are removed from the cart once the order is placed. */
  cartItemIds?: Array<string> | null | undefined;
  /**
   * The coupon to use (the shopper's own, AVAILABLE, applicable; CONFLICT with extensions.reason COUPON_NOT_APPLICABLE
   * otherwise). Left out: the shopper's best coupon is applied, as the cart's price check does. Given as an explicit
   * `null`: no coupon at all (the shopper declined the best one); previewOrder and createOrder agree on all three.
   */
  couponId?: string | null | undefined;
  /**
   * createOrder only (previewOrder ignores it): the total, in fen, the shopper saw and confirmed (the preview's or
   * cart's `total`). When the server's total differs, the order is not placed and nothing is held: CONFLICT with
   * extensions.reason PRICE_CHANGED and extensions.total, subtotal, discount, shippingFee and couponId as they are now.
   * Left out: no check.
   */
  expectedTotal?: number | null | undefined;
  /** SKUs bought directly ("buy now"): 1..99 lines, quantities 1..999; repeated SKUs are merged. */
  items?: Array<CheckoutItemInput> | null | undefined;
};

/** One SKU bought directly. */
export type CheckoutItemInput = {
  /** Pieces (1..999). */
  quantity: number;
  /** The SKU. */
  skuId: string;
};

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

export type LoginWithWechatMutationVariables = Exact<{
  code: string;
  inviteCode?: string | null | undefined;
}>;


export type LoginWithWechatMutation = { loginWithWechat: { accessToken: string, expiresIn: number, refreshToken: string, user: { id: string, nickname: string | null } } };

export type RefreshTokenMutationVariables = Exact<{
  refreshToken: string;
}>;


export type RefreshTokenMutation = { refreshToken: { accessToken: string, expiresIn: number, refreshToken: string, user: { id: string, nickname: string | null } } };

export type LogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutMutation = { logout: boolean };

export type MyCartQueryVariables = Exact<{ [key: string]: never; }>;


export type MyCartQuery = { cart: { id: string, totalQuantity: number, items: Array<{ id: string, quantity: number, selected: boolean, valid: boolean, unitPrice: number | null, sku: { id: string, name: string, product: { id: string, title: string } } }>, price: { total: number } } };

export type AddToCartMutationVariables = Exact<{
  skuId: string;
  quantity: number;
}>;


export type AddToCartMutation = { addToCart: { id: string, totalQuantity: number, items: Array<{ id: string, quantity: number, sku: { id: string } }> } };

export type AddAddressMutationVariables = Exact<{
  input: AddressInput;
}>;


export type AddAddressMutation = { addAddress: { id: string } };

export type CreateOrderMutationVariables = Exact<{
  input: CheckoutInput;
  idempotencyKey: string;
}>;


export type CreateOrderMutation = { createOrder: { id: string, orderNo: string, status: OrderStatus, total: number } };

export type ProductsQueryVariables = Exact<{
  filter?: ProductFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ProductsQuery = { products: { edges: Array<{ node: { id: string, title: string, minPrice: number, images: Array<string> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ProductDetailQueryVariables = Exact<{
  id: string;
}>;


export type ProductDetailQuery = { product: { id: string, title: string, description: string, images: Array<string>, minPrice: number, skus: Array<{ id: string, name: string, price: number, stock: number, available: boolean }> } | null };

export type OrderViewFragment = { id: string, orderNo: string, status: OrderStatus, total: number, expiresAt: string | null, paidAt: string | null, items: Array<{ title: string, skuName: string, quantity: number, unitPrice: number }> };

export type OrderDetailQueryVariables = Exact<{
  id: string;
}>;


export type OrderDetailQuery = { order: { id: string, orderNo: string, status: OrderStatus, total: number, expiresAt: string | null, paidAt: string | null, items: Array<{ title: string, skuName: string, quantity: number, unitPrice: number }> } | null };

export type OrderStatusSubscriptionVariables = Exact<{
  orderId: string;
}>;


export type OrderStatusSubscription = { orderStatusChanged: { id: string, orderNo: string, status: OrderStatus, total: number, expiresAt: string | null, paidAt: string | null, items: Array<{ title: string, skuName: string, quantity: number, unitPrice: number }> } };

export type PayWithWechatMutationVariables = Exact<{
  orderId: string;
}>;


export type PayWithWechatMutation = { payOrder: { sandboxPayUrl: string | null, payment: { id: string, status: PaymentStatus, amount: number }, wechat: { appId: string, timeStamp: string, nonceStr: string, package: string, signType: string, paySign: string } | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const OrderViewFragmentDoc = new TypedDocumentString(`
    fragment OrderView on Order {
  id
  orderNo
  status
  total
  expiresAt
  paidAt
  items {
    title
    skuName
    quantity
    unitPrice
  }
}
    `, {"fragmentName":"OrderView"}) as unknown as TypedDocumentString<OrderViewFragment, unknown>;
export const LoginWithWechatDocument = new TypedDocumentString(`
    mutation LoginWithWechat($code: String!, $inviteCode: String) {
  loginWithWechat(code: $code, inviteCode: $inviteCode) {
    accessToken
    expiresIn
    refreshToken
    user {
      id
      nickname
    }
  }
}
    `, {"body":"mutation LoginWithWechat($code: String!, $inviteCode: String) { loginWithWechat(code: $code, inviteCode: $inviteCode) { accessToken expiresIn refreshToken user { id nickname } } }","hash":"sha256:7c8d98f8510b13e698a8f697df0a0f57cec8043d69d1ae57d0d173746c0a369b"}) as unknown as TypedDocumentString<LoginWithWechatMutation, LoginWithWechatMutationVariables>;
export const RefreshTokenDocument = new TypedDocumentString(`
    mutation RefreshToken($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) {
    accessToken
    expiresIn
    refreshToken
    user {
      id
      nickname
    }
  }
}
    `, {"body":"mutation RefreshToken($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken expiresIn refreshToken user { id nickname } } }","hash":"sha256:05c4da3ced2dc45ea9a129ce2c10b565a0be6518e94cdfefebfb06f91c6a659a"}) as unknown as TypedDocumentString<RefreshTokenMutation, RefreshTokenMutationVariables>;
export const LogoutDocument = new TypedDocumentString(`
    mutation Logout {
  logout
}
    `, {"body":"mutation Logout { logout }","hash":"sha256:cb1d14c1cc99a25294cfa4376de2402364cb32e6c038a11fb36cf0ebb3a5ce91"}) as unknown as TypedDocumentString<LogoutMutation, LogoutMutationVariables>;
export const MyCartDocument = new TypedDocumentString(`
    query MyCart {
  cart {
    id
    totalQuantity
    items {
      id
      quantity
      selected
      valid
      unitPrice
      sku {
        id
        name
        product {
          id
          title
        }
      }
    }
    price {
      total
    }
  }
}
    `, {"body":"query MyCart { cart { id items { id quantity selected sku { id name product { id title } } unitPrice valid } price { total } totalQuantity } }","hash":"sha256:08e5adc5290ce8ebd7a3675e55782f815cefbd157eaf51af5f6153bb52191bac"}) as unknown as TypedDocumentString<MyCartQuery, MyCartQueryVariables>;
export const AddToCartDocument = new TypedDocumentString(`
    mutation AddToCart($skuId: ID!, $quantity: Int!) {
  addToCart(skuId: $skuId, quantity: $quantity) {
    id
    totalQuantity
    items {
      id
      quantity
      sku {
        id
      }
    }
  }
}
    `, {"body":"mutation AddToCart($quantity: Int!, $skuId: ID!) { addToCart(skuId: $skuId, quantity: $quantity) { id items { id quantity sku { id } } totalQuantity } }","hash":"sha256:ed4538130a998fe1de44f624b1ea5f3deaba66eaf89f016c61aa46a72d238866"}) as unknown as TypedDocumentString<AddToCartMutation, AddToCartMutationVariables>;
export const AddAddressDocument = new TypedDocumentString(`
    mutation AddAddress($input: AddressInput!) {
  addAddress(input: $input) {
    id
  }
}
    `, {"body":"mutation AddAddress($input: AddressInput!) { addAddress(input: $input) { id } }","hash":"sha256:552538aeb469ac5161d1c75e4c4a9fb74d91fcd4d13c8643e1d368eff1d6718b"}) as unknown as TypedDocumentString<AddAddressMutation, AddAddressMutationVariables>;
export const CreateOrderDocument = new TypedDocumentString(`
    mutation CreateOrder($input: CheckoutInput!, $idempotencyKey: String!) {
  createOrder(input: $input, idempotencyKey: $idempotencyKey) {
    id
    orderNo
    status
    total
  }
}
    `, {"body":"mutation CreateOrder($idempotencyKey: String!, $input: CheckoutInput!) { createOrder(input: $input, idempotencyKey: $idempotencyKey) { id orderNo status total } }","hash":"sha256:bd7cbcb2217446bdad2801d2bac33faa6a429269927393f11ea4812008f0a6a3"}) as unknown as TypedDocumentString<CreateOrderMutation, CreateOrderMutationVariables>;
export const ProductsDocument = new TypedDocumentString(`
    query Products($filter: ProductFilter, $first: Int, $after: String) {
  products(filter: $filter, first: $first, after: $after) {
    edges {
      node {
        id
        title
        minPrice
        images
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `, {"body":"query Products($after: String, $filter: ProductFilter, $first: Int) { products(filter: $filter, first: $first, after: $after) { edges { node { id images minPrice title } } pageInfo { endCursor hasNextPage } } }","hash":"sha256:520e656df61947dc6a520b190e2701058b922b99a0ee60de4d88b8422f2adc08"}) as unknown as TypedDocumentString<ProductsQuery, ProductsQueryVariables>;
export const ProductDetailDocument = new TypedDocumentString(`
    query ProductDetail($id: ID!) {
  product(id: $id) {
    id
    title
    description
    images
    minPrice
    skus {
      id
      name
      price
      stock
      available
    }
  }
}
    `, {"body":"query ProductDetail($id: ID!) { product(id: $id) { description id images minPrice skus { available id name price stock } title } }","hash":"sha256:1ab0a7890439b9679f5e576e044ab1bf345a88492bf2bcc9ab946f37cea2e3d4"}) as unknown as TypedDocumentString<ProductDetailQuery, ProductDetailQueryVariables>;
export const OrderDetailDocument = new TypedDocumentString(`
    query OrderDetail($id: ID!) {
  order(id: $id) {
    ...OrderView
  }
}
    fragment OrderView on Order {
  id
  orderNo
  status
  total
  expiresAt
  paidAt
  items {
    title
    skuName
    quantity
    unitPrice
  }
}`, {"body":"fragment OrderView on Order { expiresAt id items { quantity skuName title unitPrice } orderNo paidAt status total } query OrderDetail($id: ID!) { order(id: $id) { ...OrderView } }","hash":"sha256:f2cd408cca4edb3ea2313b772f540c0f553be9f4176c9106f31a672421d53872"}) as unknown as TypedDocumentString<OrderDetailQuery, OrderDetailQueryVariables>;
export const OrderStatusDocument = new TypedDocumentString(`
    subscription OrderStatus($orderId: ID!) {
  orderStatusChanged(orderId: $orderId) {
    ...OrderView
  }
}
    fragment OrderView on Order {
  id
  orderNo
  status
  total
  expiresAt
  paidAt
  items {
    title
    skuName
    quantity
    unitPrice
  }
}`, {"body":"fragment OrderView on Order { expiresAt id items { quantity skuName title unitPrice } orderNo paidAt status total } subscription OrderStatus($orderId: ID!) { orderStatusChanged(orderId: $orderId) { ...OrderView } }","hash":"sha256:c0fac0a2ca0233de561d26d3732519f96498471e3f56cfcc13cc39863f7d3dc5"}) as unknown as TypedDocumentString<OrderStatusSubscription, OrderStatusSubscriptionVariables>;
export const PayWithWechatDocument = new TypedDocumentString(`
    mutation PayWithWechat($orderId: ID!) {
  payOrder(orderId: $orderId, method: WECHAT) {
    payment {
      id
      status
      amount
    }
    wechat {
      appId
      timeStamp
      nonceStr
      package
      signType
      paySign
    }
    sandboxPayUrl
  }
}
    `, {"body":"mutation PayWithWechat($orderId: ID!) { payOrder(orderId: $orderId, method: WECHAT) { payment { amount id status } sandboxPayUrl wechat { appId nonceStr package paySign signType timeStamp } } }","hash":"sha256:a51898f908d57731d316a37a31558d0af5a1c94fe25e77420c50a7cc44a884f2"}) as unknown as TypedDocumentString<PayWithWechatMutation, PayWithWechatMutationVariables>;