/**
 * Sign-in, then the layout: the menus the staff member's roles grant (myConsoleMenus, seed 004's role → menu), and
 * the page of the current path. A path whose menu is not granted shows "no access" (the API would refuse its
 * operations anyway: menus are what the console shows, scopes what the API allows).
 */
import { useEffect, useMemo, useState } from 'react';
import { Provider, useMutation, useQuery } from 'urql';
import { Link, Route, Router, Switch, useLocation } from 'wouter';
import { createClient } from './client';
import { ConsoleViewerDocument, LoginDocument, LogoutDocument } from './gql/graphql';
import { CatalogPage } from './pages/Catalog';
import { ClientsPage } from './pages/Clients';
import { CouponsPage } from './pages/Coupons';
import { DashboardPage } from './pages/Dashboard';
import { OpenApisPage } from './pages/OpenApis';
import { OpenAppsPage } from './pages/OpenApps';
import { OpenLogsPage } from './pages/OpenLogs';
import { OpenStatsPage } from './pages/OpenStats';
import { OrderDetailPage, OrdersPage } from './pages/Orders';
import { RolesPage } from './pages/Roles';
import { ShopperAccessPage } from './pages/ShopperAccess';
import { ShopperDetailPage, ShoppersPage } from './pages/Shoppers';
import { BackOfficeRolesPage, StaffAccountsPage } from './pages/backoffice/Accounts';
import { IdentifyMemberPage, RedeemCouponPage } from './pages/backoffice/Counter';
import { InventoryStatsPage } from './pages/backoffice/Inventory';
import { StoreStatsPage } from './pages/backoffice/Stats';
import { FranchiseesPage, SalesBranchesPage } from './pages/backoffice/Directory';
import { MemberCardsPage } from './pages/backoffice/MemberCards';
import { StoreDetailPage, StoresPage } from './pages/backoffice/Stores';
import { TerminalDetailPage, TerminalsPage } from './pages/backoffice/Terminals';
import { getSession, onSessionChange, sessionFrom, setSession, type Session } from './session';
import { ErrorNote } from './ui';

export function App() {
  const [session, setCurrent] = useState<Session | null>(getSession());
  useEffect(() => onSessionChange(setCurrent), []);
  // A new client per sign-in: nothing cached for one staff member is shown to the next.
  const signedIn = session !== null;
  const client = useMemo(() => createClient(), [signedIn]);
  return (
    <Provider value={client}>
      <Router base="/console">{session ? <Shell /> : <SignIn />}</Router>
    </Provider>
  );
}

function SignIn() {
  const [account, setAccount] = useState('');
  const [password, setPassword] = useState('');
  const [result, login] = useMutation(LoginDocument);
  const [refused, setRefused] = useState<string | null>(null);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setRefused(null);
    const answer = await login({ input: { account, password } });
    const payload = answer.data?.login;
    if (!payload) return;
    if (!payload.user.scopes.length) {
      // A shopper's account signs in fine but has no business here.
      setRefused('该账号不是员工账号');
      return;
    }
    setSession(sessionFrom(payload));
  }
  return (
    <div className="signin">
      <form onSubmit={submit} aria-label="员工登录">
        <h1>运营后台</h1>
        <label>
          账号
          <input name="account" value={account} onChange={(e) => setAccount(e.target.value)} autoComplete="username" required />
        </label>
        <label>
          密码
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
        </label>
        <button type="submit" disabled={result.fetching}>
          登录
        </button>
        <ErrorNote error={result.error} />
        {refused && <div className="error" role="alert">{refused}</div>}
      </form>
    </div>
  );
}

const PAGES: { path: string; menu: string; component: React.ComponentType<{ scopes?: string[] }> }[] = [
  { path: '/', menu: 'dashboard', component: DashboardPage },
  { path: '/orders', menu: 'orders', component: OrdersPage },
  { path: '/shoppers', menu: 'shoppers', component: ShoppersPage },
  { path: '/catalog', menu: 'catalog', component: CatalogPage },
  { path: '/coupons', menu: 'coupons', component: CouponsPage },
  { path: '/open/apps', menu: 'open-apps', component: OpenAppsPage },
  { path: '/open/apis', menu: 'open-apis', component: OpenApisPage },
  { path: '/open/logs', menu: 'open-logs', component: OpenLogsPage },
  { path: '/open/stats', menu: 'open-stats', component: OpenStatsPage },
  { path: '/system/roles', menu: 'roles', component: RolesPage },
  { path: '/system/clients', menu: 'clients', component: ClientsPage },
  { path: '/system/shopper-access', menu: 'shopper-access', component: ShopperAccessPage },
  { path: '/backoffice/identify', menu: 'bo-identify', component: IdentifyMemberPage },
  { path: '/backoffice/redeem', menu: 'bo-redeem', component: RedeemCouponPage },
  { path: '/backoffice/stats', menu: 'bo-stats', component: StoreStatsPage },
  { path: '/backoffice/inventory', menu: 'bo-inventory', component: InventoryStatsPage },
  { path: '/backoffice/terminals', menu: 'bo-terminals', component: TerminalsPage },
  { path: '/backoffice/stores', menu: 'bo-stores', component: StoresPage },
  { path: '/backoffice/franchisees', menu: 'bo-franchisees', component: FranchiseesPage },
  { path: '/backoffice/branches', menu: 'bo-branches', component: SalesBranchesPage },
  { path: '/backoffice/accounts', menu: 'bo-accounts', component: StaffAccountsPage },
  { path: '/backoffice/roles', menu: 'bo-roles', component: BackOfficeRolesPage },
  { path: '/backoffice/member-cards', menu: 'bo-member-cards', component: MemberCardsPage },
];

function Shell() {
  const [viewer] = useQuery({ query: ConsoleViewerDocument, requestPolicy: 'network-only' });
  const [, logout] = useMutation(LogoutDocument);
  const [location, navigate] = useLocation();
  const menus = viewer.data?.myConsoleMenus ?? [];
  const granted = new Set(menus.map((menu) => menu.key));
  const directories = menus.filter((menu) => !menu.parentKey);
  const firstPage = menus.find((menu) => menu.path)?.path;

  useEffect(() => {
    // The landing page is the dashboard; a role without it starts on its first menu instead.
    if (location === '/' && viewer.data && !granted.has('dashboard') && firstPage) navigate(firstPage, { replace: true });
  }, [location, viewer.data, firstPage]);

  async function signOut() {
    await logout({});
    setSession(null);
  }

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">运营后台</div>
        <nav aria-label="菜单">
          {directories.map((directory) => (
            <div key={directory.key} className="menu-group">
              <div className="menu-group-title">{directory.name}</div>
              {menus
                .filter((menu) => menu.parentKey === directory.key && menu.path)
                .map((menu) => (
                  <Link key={menu.key} href={menu.path!} className={(active) => (active ? 'menu-item active' : 'menu-item')}>
                    {menu.name}
                  </Link>
                ))}
            </div>
          ))}
        </nav>
      </aside>
      <main className="content">
        <header className="topbar">
          <span className="who">{viewer.data?.me?.nickname ?? ''}</span>
          <button type="button" className="link" onClick={signOut}>
            退出登录
          </button>
        </header>
        <ErrorNote error={viewer.error} />
        {viewer.data && (
          <Switch>
            <Route path="/orders/:id">{(params) => (granted.has('orders') ? <OrderDetailPage id={params.id} /> : <NoAccess />)}</Route>
            <Route path="/shoppers/:id">
              {(params) => (granted.has('shoppers') ? <ShopperDetailPage id={params.id} scopes={viewer.data?.me?.scopes} /> : <NoAccess />)}
            </Route>
            {/* Detail pages belong to their list's menu; a terminal's also to the directory's (a store's page links it). */}
            <Route path="/backoffice/stores/:code">{(params) => (granted.has('bo-stores') ? <StoreDetailPage code={decodeURIComponent(params.code)} /> : <NoAccess />)}</Route>
            <Route path="/backoffice/terminals/:id">{(params) => (granted.has('bo-terminals') || granted.has('bo-stores') ? <TerminalDetailPage id={decodeURIComponent(params.id)} /> : <NoAccess />)}</Route>
            {PAGES.map(({ path, menu, component: Page }) => (
              <Route key={path} path={path}>
                {granted.has(menu) ? <Page scopes={viewer.data?.me?.scopes} /> : <NoAccess />}
              </Route>
            ))}
            <Route>
              <div className="muted">页面不存在</div>
            </Route>
          </Switch>
        )}
      </main>
    </div>
  );
}

function NoAccess() {
  return (
    <div className="notice" role="alert">
      无权访问此页面：您的角色没有这个菜单。
    </div>
  );
}
