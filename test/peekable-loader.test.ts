/** PeekableLoader: what a resolver may read synchronously is exactly what the DataLoader would hand it. */
import { PeekableLoader } from '../platform/loaders';

const rows = (keys: readonly string[]) => Promise.resolve(keys.map((key) => (key === 'missing' ? null : { id: key })));

it('peeks nothing before a load settles, then the loaded value (null for a missing row)', async () => {
  const loader = new PeekableLoader<string, { id: string } | null>(rows);
  const pending = loader.loadMany(['1', 'missing']);
  expect(loader.peek('1')).toBeUndefined();
  await pending;
  expect(loader.peek('1')).toEqual({ id: '1' });
  expect(loader.peek('missing')).toBeNull();
  expect(loader.peek('2')).toBeUndefined();
});

it('forgets what is cleared and keeps what is primed, as DataLoader does', async () => {
  const loader = new PeekableLoader<string, { id: string; v?: number } | null>(rows);
  await loader.load('1');
  loader.clear('1').prime('1', { id: '1', v: 2 });
  expect(loader.peek('1')).toEqual({ id: '1', v: 2 });
  expect(await loader.load('1')).toEqual({ id: '1', v: 2 });
  // Priming a key already held changes neither.
  loader.prime('1', { id: '1', v: 3 });
  expect(loader.peek('1')).toEqual({ id: '1', v: 2 });
  expect(await loader.load('1')).toEqual({ id: '1', v: 2 });
  loader.clearAll();
  expect(loader.peek('1')).toBeUndefined();
});

it('does not remember a failed batch', async () => {
  const loader = new PeekableLoader<string, string>(() => Promise.resolve([new Error('down')]));
  await expect(loader.load('1')).rejects.toThrow('down');
  expect(loader.peek('1')).toBeUndefined();
});
