/**
 * The mini-program's App: one kit instance for every page (`getApp().shop`). Replace the endpoint with your shop's
 * origin; it must be a request and socket legal domain (request 合法域名 / socket 合法域名) of the mini-program.
 */
import { createShop, type Shop } from './src/index';

declare function App<T>(options: T): void;
declare const wx: Parameters<typeof createShop>[0]['wx'];

const shop: Shop = createShop({
  wx,
  endpoint: 'https://shop.example.com/graphql',
  // The session ended (refresh refused): a WeChat user signs in again silently, as at launch.
  onSignedOut: () => void shop.auth.login(),
});

App<{ shop: Shop; onLaunch(): void }>({
  shop,
  onLaunch() {
    // Silent sign-in at launch when there is no session (the WeChat identity is the shopper: docs/passport.md).
    if (!shop.auth.session()) void shop.auth.login();
  },
});
