import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { useLocation, useSearch } from 'wouter';
import { SignInDocument } from '../gql/graphql';
import { setSession } from '../auth';
import { describeError } from '../errors';
import { ErrorMessage } from '../components';

/** The demo shopper of a development shop (README's tour). */
const DEMO = { account: '13800138000', password: 'shopper123' };

export function SignInPage() {
  const [account, setAccount] = useState('');
  const [password, setPassword] = useState('');
  const [state, signIn] = useMutation(SignInDocument);
  const [, navigate] = useLocation();
  const next = new URLSearchParams(useSearch()).get('next');

  const submit = async (input: { account: string; password: string }) => {
    const result = await signIn({ input });
    const payload = result.data?.login;
    if (!payload) return;
    setSession({ accessToken: payload.accessToken, refreshToken: payload.refreshToken, nickname: payload.user.nickname });
    // Only a path of this app: `next` comes from the address bar.
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit({ account: account.trim(), password });
  };
  return (
    <section className="card narrow">
      <h1>登录</h1>
      <form onSubmit={onSubmit} className="form">
        <label>
          手机号或用户名
          <input name="account" autoComplete="username" value={account} onChange={(e) => setAccount(e.target.value)} required />
        </label>
        <label>
          密码
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <ErrorMessage message={describeError(state.error, { UNAUTHENTICATED: '账号或密码错误', BAD_USER_INPUT: '账号或密码错误' })} />
        <button type="submit" className="primary" disabled={state.fetching}>登录</button>
      </form>
      <button
        className="secondary"
        disabled={state.fetching}
        onClick={() => {
          setAccount(DEMO.account);
          setPassword(DEMO.password);
          void submit(DEMO);
        }}
      >
        使用演示账号登录
      </button>
      <p className="muted">演示账号：{DEMO.account} / {DEMO.password}</p>
    </section>
  );
}
