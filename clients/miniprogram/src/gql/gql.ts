/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation LoginWithWechat($code: String!, $inviteCode: String) {\n  loginWithWechat(code: $code, inviteCode: $inviteCode) {\n    accessToken\n    expiresIn\n    refreshToken\n    user {\n      id\n      nickname\n    }\n  }\n}\n\nmutation RefreshToken($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    expiresIn\n    refreshToken\n    user {\n      id\n      nickname\n    }\n  }\n}\n\nmutation Logout {\n  logout\n}": typeof types.LoginWithWechatDocument,
    "query MyCart {\n  cart {\n    id\n    totalQuantity\n    items {\n      id\n      quantity\n      selected\n      valid\n      unitPrice\n      sku {\n        id\n        name\n        product {\n          id\n          title\n        }\n      }\n    }\n    price {\n      total\n    }\n  }\n}\n\nmutation AddToCart($skuId: ID!, $quantity: Int!) {\n  addToCart(skuId: $skuId, quantity: $quantity) {\n    id\n    totalQuantity\n    items {\n      id\n      quantity\n      sku {\n        id\n      }\n    }\n  }\n}\n\nmutation AddAddress($input: AddressInput!) {\n  addAddress(input: $input) {\n    id\n  }\n}\n\nmutation CreateOrder($input: CheckoutInput!, $idempotencyKey: String!) {\n  createOrder(input: $input, idempotencyKey: $idempotencyKey) {\n    id\n    orderNo\n    status\n    total\n  }\n}": typeof types.MyCartDocument,
    "query Products($filter: ProductFilter, $first: Int, $after: String) {\n  products(filter: $filter, first: $first, after: $after) {\n    edges {\n      node {\n        id\n        title\n        minPrice\n        images\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery ProductDetail($id: ID!) {\n  product(id: $id) {\n    id\n    title\n    description\n    images\n    minPrice\n    skus {\n      id\n      name\n      price\n      stock\n      available\n    }\n  }\n}": typeof types.ProductsDocument,
    "fragment OrderView on Order {\n  id\n  orderNo\n  status\n  total\n  expiresAt\n  paidAt\n  items {\n    title\n    skuName\n    quantity\n    unitPrice\n  }\n}\n\nquery OrderDetail($id: ID!) {\n  order(id: $id) {\n    ...OrderView\n  }\n}\n\nsubscription OrderStatus($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    ...OrderView\n  }\n}\n\nmutation PayWithWechat($orderId: ID!) {\n  payOrder(orderId: $orderId, method: WECHAT) {\n    payment {\n      id\n      status\n      amount\n    }\n    wechat {\n      appId\n      timeStamp\n      nonceStr\n      package\n      signType\n      paySign\n    }\n    sandboxPayUrl\n  }\n}": typeof types.OrderViewFragmentDoc,
};
const documents: Documents = {
    "mutation LoginWithWechat($code: String!, $inviteCode: String) {\n  loginWithWechat(code: $code, inviteCode: $inviteCode) {\n    accessToken\n    expiresIn\n    refreshToken\n    user {\n      id\n      nickname\n    }\n  }\n}\n\nmutation RefreshToken($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    expiresIn\n    refreshToken\n    user {\n      id\n      nickname\n    }\n  }\n}\n\nmutation Logout {\n  logout\n}": types.LoginWithWechatDocument,
    "query MyCart {\n  cart {\n    id\n    totalQuantity\n    items {\n      id\n      quantity\n      selected\n      valid\n      unitPrice\n      sku {\n        id\n        name\n        product {\n          id\n          title\n        }\n      }\n    }\n    price {\n      total\n    }\n  }\n}\n\nmutation AddToCart($skuId: ID!, $quantity: Int!) {\n  addToCart(skuId: $skuId, quantity: $quantity) {\n    id\n    totalQuantity\n    items {\n      id\n      quantity\n      sku {\n        id\n      }\n    }\n  }\n}\n\nmutation AddAddress($input: AddressInput!) {\n  addAddress(input: $input) {\n    id\n  }\n}\n\nmutation CreateOrder($input: CheckoutInput!, $idempotencyKey: String!) {\n  createOrder(input: $input, idempotencyKey: $idempotencyKey) {\n    id\n    orderNo\n    status\n    total\n  }\n}": types.MyCartDocument,
    "query Products($filter: ProductFilter, $first: Int, $after: String) {\n  products(filter: $filter, first: $first, after: $after) {\n    edges {\n      node {\n        id\n        title\n        minPrice\n        images\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery ProductDetail($id: ID!) {\n  product(id: $id) {\n    id\n    title\n    description\n    images\n    minPrice\n    skus {\n      id\n      name\n      price\n      stock\n      available\n    }\n  }\n}": types.ProductsDocument,
    "fragment OrderView on Order {\n  id\n  orderNo\n  status\n  total\n  expiresAt\n  paidAt\n  items {\n    title\n    skuName\n    quantity\n    unitPrice\n  }\n}\n\nquery OrderDetail($id: ID!) {\n  order(id: $id) {\n    ...OrderView\n  }\n}\n\nsubscription OrderStatus($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    ...OrderView\n  }\n}\n\nmutation PayWithWechat($orderId: ID!) {\n  payOrder(orderId: $orderId, method: WECHAT) {\n    payment {\n      id\n      status\n      amount\n    }\n    wechat {\n      appId\n      timeStamp\n      nonceStr\n      package\n      signType\n      paySign\n    }\n    sandboxPayUrl\n  }\n}": types.OrderViewFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation LoginWithWechat($code: String!, $inviteCode: String) {\n  loginWithWechat(code: $code, inviteCode: $inviteCode) {\n    accessToken\n    expiresIn\n    refreshToken\n    user {\n      id\n      nickname\n    }\n  }\n}\n\nmutation RefreshToken($refreshToken: String!) {\n  refreshToken(refreshToken: $refreshToken) {\n    accessToken\n    expiresIn\n    refreshToken\n    user {\n      id\n      nickname\n    }\n  }\n}\n\nmutation Logout {\n  logout\n}"): typeof import('./graphql').LoginWithWechatDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query MyCart {\n  cart {\n    id\n    totalQuantity\n    items {\n      id\n      quantity\n      selected\n      valid\n      unitPrice\n      sku {\n        id\n        name\n        product {\n          id\n          title\n        }\n      }\n    }\n    price {\n      total\n    }\n  }\n}\n\nmutation AddToCart($skuId: ID!, $quantity: Int!) {\n  addToCart(skuId: $skuId, quantity: $quantity) {\n    id\n    totalQuantity\n    items {\n      id\n      quantity\n      sku {\n        id\n      }\n    }\n  }\n}\n\nmutation AddAddress($input: AddressInput!) {\n  addAddress(input: $input) {\n    id\n  }\n}\n\nmutation CreateOrder($input: CheckoutInput!, $idempotencyKey: String!) {\n  createOrder(input: $input, idempotencyKey: $idempotencyKey) {\n    id\n    orderNo\n    status\n    total\n  }\n}"): typeof import('./graphql').MyCartDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Products($filter: ProductFilter, $first: Int, $after: String) {\n  products(filter: $filter, first: $first, after: $after) {\n    edges {\n      node {\n        id\n        title\n        minPrice\n        images\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery ProductDetail($id: ID!) {\n  product(id: $id) {\n    id\n    title\n    description\n    images\n    minPrice\n    skus {\n      id\n      name\n      price\n      stock\n      available\n    }\n  }\n}"): typeof import('./graphql').ProductsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment OrderView on Order {\n  id\n  orderNo\n  status\n  total\n  expiresAt\n  paidAt\n  items {\n    title\n    skuName\n    quantity\n    unitPrice\n  }\n}\n\nquery OrderDetail($id: ID!) {\n  order(id: $id) {\n    ...OrderView\n  }\n}\n\nsubscription OrderStatus($orderId: ID!) {\n  orderStatusChanged(orderId: $orderId) {\n    ...OrderView\n  }\n}\n\nmutation PayWithWechat($orderId: ID!) {\n  payOrder(orderId: $orderId, method: WECHAT) {\n    payment {\n      id\n      status\n      amount\n    }\n    wechat {\n      appId\n      timeStamp\n      nonceStr\n      package\n      signType\n      paySign\n    }\n    sandboxPayUrl\n  }\n}"): typeof import('./graphql').OrderViewFragmentDoc;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
