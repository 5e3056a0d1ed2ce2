import { useState, type FormEvent } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { useMutation } from 'urql';
import { SignOutDocument } from './gql/graphql';
import { setSession, useAuth } from './auth';
import { HomePage } from './pages/Home';
import { SearchPage } from './pages/Search';
import { ProductPage } from './pages/Product';
import { CartPage } from './pages/Cart';
import { CheckoutPage } from './pages/Checkout';
import { OrdersPage } from './pages/Orders';
import { OrderPage } from './pages/Order';
import { SignInPage } from './pages/SignIn';

function Header() {
  const session = useAuth();
  const [, navigate] = useLocation();
  const [keyword, setKeyword] = useState('');
  const [, signOut] = useMutation(SignOutDocument);
  const search = (event: FormEvent) => {
    event.preventDefault();
    if (keyword.trim()) navigate(`/search?q=${encodeURIComponent(keyword.trim())}`);
  };
  return (
    <header className="header">
      <Link href="/" className="logo">小店</Link>
      <form className="search" role="search" onSubmit={search}>
        <input type="search" aria-label="搜索商品" placeholder="搜索商品" value={keyword} onChange={(e) => setKeyword(e.target.value)} />
        <button type="submit">搜索</button>
      </form>
      <nav className="nav">
        <Link href="/">分类</Link>
        <Link href="/cart">购物车</Link>
        <Link href="/orders">我的订单</Link>
        {session ? (
          <button
            className="link"
            onClick={() => {
              void signOut({}).finally(() => setSession(undefined));
              navigate('/');
            }}
          >
            退出{session.nickname ? `（${session.nickname}）` : ''}
          </button>
        ) : (
          <Link href="/signin">登录</Link>
        )}
      </nav>
    </header>
  );
}

export function App() {
  return (
    <>
      <Header />
      <main className="main">
        <Switch>
          <Route path="/" component={HomePage} />
          <Route path="/search" component={SearchPage} />
          <Route path="/products/:id" component={ProductPage} />
          <Route path="/cart" component={CartPage} />
          <Route path="/checkout" component={CheckoutPage} />
          <Route path="/orders" component={OrdersPage} />
          <Route path="/orders/:id" component={OrderPage} />
          <Route path="/signin" component={SignInPage} />
          <Route>
            <p className="empty">页面不存在。<Link href="/">返回首页</Link></p>
          </Route>
        </Switch>
      </main>
    </>
  );
}
