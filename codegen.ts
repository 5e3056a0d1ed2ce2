/**
 * GraphQL Code Generator: resolver types for each subgraph, from its schema.graphql, with federation
 * support, the subgraph's context type and mappers from GraphQL types to the row types its data access returns;
 * and for each client app, typed documents (the client preset) from its `operations/*.graphql`, validated against
 * the API schema clients see (schema/api.graphql, written by `npm run compose`), with a sha256 id per operation
 * (`persisted-documents.json`: the persisted-operation ids the app sends).
 * `npm run codegen` is deterministic (then writes each app's persisted-query-manifest.json: scripts/persisted-manifests.ts);
 * test/composition.test.ts fails when the committed output, client apps' included, is stale or no longer validates.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';
import type { DocumentNode } from 'graphql';

/** Per subgraph: its context type and the row type behind each GraphQL object (paths relative to generated/). */
const subgraphs: Record<string, { context: string; mappers: Record<string, string> }> = {
  user: {
    context: '../context#UserContext',
    mappers: {
      User: '../data/users#UserRow',
      Address: '../data/addresses#AddressRow',
      AuthPayload: '../tokens#AuthResult',
      LinkedIdentity: '../data/identities#IdentityRow',
      AccountBindingPayload: '../passport#BindingResult',
      Product: '../favorites#ProductRef',
      Family: '../data/families#FamilyRow',
      Membership: '../membership#MembershipView',
      UserMembership: '../families-resolvers#UserMembershipView',
      FamilyForPayment: '../membership-grants#FamilyForPaymentView',
      MembershipGrant: '../membership-grants#MembershipGrantView',
      ActivationCodeBatch: '../data/families#BatchRow',
      NewActivationCodeBatch: '../families-resolvers#NewBatchView',
      // The merchant back office (docs/back-office.md).
      Store: '../data/directory#StoreRow',
      Franchisee: '../data/directory#FranchiseeRow',
      SalesBranch: '../data/directory#BranchRow',
      StaffAccount: '../data/staff-accounts#StaffAccountRow',
      StaffRole: '../back-office#RoleView',
      Terminal: '../data/terminals#TerminalRow',
      BoundTerminal: '../back-office-resolvers#BoundTerminalView',
      MemberIdentification: '../member-identification#MemberIdentificationView',
      MemberCard: '../data/member-cards#MemberCardRow',
      StoreAccess: '../back-office#StoreAccessView',
      StoreStatisticsOverview: '../store-stats#OverviewView',
      StoreDayStatistics: '../store-stats#DayView',
      ConsoleMenu: '../data/menus#MenuRow',
      // Shoppers for customer service (docs/shoppers.md).
      ShopperProfile: '../shoppers#ShopperView',
      ShopperAccess: '../data/shoppers#ShopperAccessRow',
    },
  },
  product: {
    context: '../context#ProductContext',
    mappers: {
      Product: '../data/products#ProductRow',
      Sku: '../data/skus#SkuRow',
      Category: '../data/categories#CategoryRef',
      Brand: '../data/brands#BrandRow',
      StockReservation: '../data/stock#StockReservationRow',
      StockReturn: '../data/stock-returns#StockReturnRow',
      StockStatisticsRow: '../data/stock-statistics#StockFiguresRow',
      // Home page content (home-page/).
      Banner: '../data/banners#BannerRow',
      ProductGroup: '../data/product-groups#ProductGroupRow',
      ProductGroupProductEdge: '../home-page/reads#GroupMemberEdge',
      ProductTag: '../data/product-tags#ProductTagRow',
      HotSearchWord: '../data/hot-words#HotSearchWordRow',
      HelpTopic: '../data/help-center#HelpTopicRow',
      HelpQuestion: '../data/help-center#HelpQuestionRow',
      SubscriptionWares: '../data/subscription-wares#SubscriptionWaresRow',
      HomePage: '../home-page/reads#HomePageRef',
    },
  },
  cart: {
    context: '../context#CartContext',
    mappers: { Cart: '../cart#CartRef', CartItem: '../items#CartItemView', CartPrice: '../pricing#CartPriceValues', Sku: '../services#CartSku' },
  },
  order: {
    context: '../context#OrderContext',
    mappers: {
      Order: '../data/orders#OrderRow',
      OrderItem: '../data/order-items#OrderItemRow',
      OrderAddress: '../data/orders#AddressSnapshot',
      OrderStatusChange: '../data/status-history#StatusHistoryRow',
      OrderCounts: '../data/orders#OrderCountsRow',
      AfterSale: '../data/after-sales#AfterSaleRow',
      AfterSaleItem: '../data/after-sales#AfterSaleItemRow',
      OrderRefund: '../data/refunds#OrderRefundRow',
      OrderRefundLine: '../data/refunds#RefundLine',
      Cart: '../buy-again#CartReference',
      Sku: '../entity-refs#SkuReference',
      Product: '../entity-refs#ProductReference',
      Shipment: '../data/shipments#ShipmentRow',
      OrderSubscription: '../data/subscriptions#SubscriptionRow',
      SubscriptionPackage: '../data/subscriptions#PackageRow',
      ShipmentEvent: '../data/shipments#ShipmentEventRow',
      ShipmentLine: '../data/shipments#ShipmentLineRow',
      Carrier: '../data/shipments#CarrierRef',
      ReturnAddress: '../data/return-addresses#ReturnAddressRow',
      ReturnAddressCopy: '../data/after-sales#ReturnAddressSnapshot',
    },
  },
  promote: {
    context: '../context#PromoteContext',
    mappers: {
      StoreRedemption: '../data/store-redemptions#StoreRedemptionRow',
      CouponOwner: '../store-redemption-resolvers#CouponOwnerView',
      Coupon: '../data/coupons#CouponRow', CouponTemplate: '../data/templates#CouponTemplateRow', CouponCode: '../data/code-admin#CouponCodeRow',
      RedPacket: '../data/red-packets#RedPacketRow',
      RedPacketOpening: '../data/red-packets#OpeningView',
      Activity: '../data/activities#ActivityRow',
      Invitation: '../data/invitations#InvitationRow',
      InviteRank: '../invite-resolvers#RankView',
      InviteProgress: '../invite-resolvers#ProgressView',
      ReceivedInvitation: '../data/invitations#InvitationRow',
    },
  },
  payment: {
    context: '../context#PaymentContext',
    mappers: {
      Payment: '../data/payments#PaymentRow',
      Refund: '../data/payments#RefundRow',
      WalletBill: '../data/wallet#WalletEntryRow',
      PaymentMethod: '../pay#PaymentMethodView',
      PayOrderResult: '../pay#PayOrderResultView',
      Wallet: '../resolvers#WalletRef',
      FamilyWallet: '../family-wallet#FamilyWalletRef',
      FamilyWalletBill: '../data/family-wallet#FamilyWalletEntryRow',
      MemberCardPrice: '../data/member-cards#MemberCardPriceRow',
      MemberCardOrder: '../data/member-cards#MemberCardOrderRow',
      MemberCardPurchase: '../member-card#MemberCardPurchaseView',
      ShopperProfile: '../shopper-wallets#ShopperProfileRef',
    },
  },
  review: {
    context: '../context#ReviewContext',
    mappers: {
      Review: '../data/reviews#ReviewRow',
      ReviewableLine: '../data/purchased-lines#PurchasedLineRow',
      ProductRating: '../data/ratings#ProductRatingRow',
      Product: '../refs#EntityRef',
      Sku: '../refs#EntityRef',
      User: '../refs#EntityRef',
      Order: '../refs#EntityRef',
    },
  },
  open: {
    context: '../context#OpenContext',
    mappers: {
      OpenApp: '../data/apps#AppRow',
      OpenApi: '../data/apis#OpenApiRow',
      OpenSession: '../data/sessions#SessionView',
      ClientRelease: '../client-releases#ReleaseView',
    },
  },
};

/** Client apps with operation documents in `<app>/operations/`; their typed documents go to `<app>/src/gql/`. */
export const clientApps = ['clients/web', 'clients/miniprogram', 'console'].filter((app) =>
  fs.existsSync(path.join(__dirname, app, 'operations')),
);

/** The client preset's output for one app folder (also used by scripts/codegen-check.ts on fixture apps). */
export const clientOutput = (app: string) => ({
  schema: 'schema/api.graphql',
  documents: `${app}/operations/**/*.graphql`,
  preset: 'client' as const,
  presetConfig: {
    fragmentMasking: false,
    persistedDocuments: { hashAlgorithm: 'sha256' as const },
    // The mini-program kit retries an id the router does not know (APQ, development) with the text the id hashes:
    // the normalized body, as persisted-documents.json has it, kept in each document's `__meta__.body`.
    ...(app === 'clients/miniprogram' ? { onExecutableDocumentNode: (document: DocumentNode) => ({ body: printExecutableGraphQLDocument(document) }) } : {}),
  },
  config: {
    enumsAsTypes: true,
    useTypeImports: true,
    scalars: { ID: 'string' },
    avoidOptionals: false,
    // The mini-program kit sends ids and, on PERSISTED_QUERY_NOT_FOUND, the text: documents as typed strings
    // (text + `__meta__.hash`) need no graphql package in the mini-program's bundle to print them.
    ...(app === 'clients/miniprogram' ? { documentMode: 'string' as const } : {}),
  },
});

const clientOutputs = Object.fromEntries(clientApps.map((app) => [`${app}/src/gql/`, clientOutput(app)]));

const subgraphOutputs = Object.fromEntries(
  Object.entries(subgraphs).map(([name, { context, mappers }]) => [
    `subgraphs/${name}/generated/resolvers-types.ts`,
    {
      schema: `subgraphs/${name}/schema.graphql`,
      plugins: [{ add: { content: '/* eslint-disable */\n// Generated by `npm run codegen` from schema.graphql. Do not edit.' } }, 'typescript', 'typescript-resolvers'],
      config: {
        federation: true,
        contextType: context,
        mappers,
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { ID: { input: 'string', output: 'string' } },
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        maybeValue: 'T | null',
      },
    },
  ]),
);

const config: CodegenConfig = {
  overwrite: true,
  silent: true,
  generates: { ...subgraphOutputs, ...clientOutputs },
};

export default config;
