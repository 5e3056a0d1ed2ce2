/** The storefront's two translations of what the API says: fen into yuan, and error codes into Chinese. */
import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { formatYuan } from '../clients/web/src/money';
import { describeError } from '../clients/web/src/errors';

it('formats fen as yuan with two decimals, exactly', () => {
  expect(formatYuan(5900)).toBe('¥59.00');
  expect(formatYuan(1)).toBe('¥0.01');
  expect(formatYuan(0)).toBe('¥0.00');
  expect(formatYuan(140805)).toBe('¥1408.05');
  expect(formatYuan(-3000)).toBe('-¥30.00');
  expect(formatYuan(100_000_000)).toBe('¥1000000.00');
});

const refusal = (extensions: Record<string, unknown>) =>
  new CombinedError({ graphQLErrors: [new GraphQLError('English message for developers', { extensions })] });

it('names a refusal in Chinese by its reason, else by its code, with per-action wording', () => {
  expect(describeError(undefined)).toBeUndefined();
  expect(describeError(refusal({ code: 'NOT_FOUND', reason: 'CODE_NOT_FOUND' }))).toBe('优惠码不存在，请检查后重试');
  expect(describeError(refusal({ code: 'CONFLICT' }), { CONFLICT: '库存不足' })).toBe('库存不足');
  expect(describeError(refusal({ code: 'CONFLICT' }))).toBe('操作未能完成，请刷新后重试');
  expect(describeError(refusal({ code: 'RATE_LIMITED', retryAfterSeconds: 12.2 }))).toBe('操作太频繁，请 13 秒后再试');
  expect(describeError(refusal({ code: 'SOMETHING_NEW' }))).toBe('操作失败，请稍后再试');
  expect(describeError(new CombinedError({ networkError: new Error('offline') }))).toBe('网络连接失败，请检查网络后重试');
});
