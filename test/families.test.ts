/**
 * Families and membership through the router (real PostgreSQL and Redis): a shopper's journey (families, default,
 * a member added by phone, the trial, an activation code from a staff batch), the concurrency cases (8 trials at once,
 * one code used 8 times at once), wrong codes throttled per shopper, staff scope checks, and the internal field
 * hidden from clients.
 */
import type { RunningSupergraph } from '../app/launcher';
import { signAccessToken } from '../platform/access-token';
import { bearer, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from './support/harness';

const config = testConfig({ MEMBER_CODE_MAX_FAILURES_PER_USER: '3' });
let supergraph: RunningSupergraph;
let router: string;
const staff = bearer(signAccessToken({ userId: '999990', scopes: ['member:write'] }, config));

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['user'], router: true, config });
  router = supergraph.routerUrl!;
  // Each run's database numbers users from 1 again, while the per-shopper throttle counts live in Redis for an hour:
  // start this file's users far from any earlier run's, so their counts never meet.
  await supergraph.subgraphs.user!.db.raw(`SELECT setval('users_id_seq', nextval('users_id_seq') + ?)`, [Math.floor(Math.random() * 1e12)]);
});
afterAll(async () => {
  await supergraph?.stop();
});

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors ?? response)}`);
  return response.data;
}
const reasons = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.reason);

async function signUp(): Promise<{ headers: Record<string, string>; phone: string; id: string }> {
  const phone = uniquePhone();
  const data = ok(
    await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', { input: { phone, password: 'secret123' } }),
  );
  return { headers: bearer(data.register.accessToken), phone, id: data.register.user.id };
}

const familyInput = (name: string) => ({ name, contactName: '李四', phone: '13900139000', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路2号' });
const CREATE = 'mutation($input: FamilyInput!, $isDefault: Boolean) { createFamily(input: $input, isDefault: $isDefault) { id isDefault } }';
const ME = `{ me { id families { id name isDefault owner { id nickname } members { id nickname } membership { level expiresAt } memberTrialTaken }
  defaultFamily { id } membership { level expiresAt familyId } memberTrialTaken } }`;
const TRY = 'mutation($f: ID!) { startMemberTrial(familyId: $f) { id membership { level expiresAt } } }';
const ACTIVATE = 'mutation($f: ID!, $code: String!) { activateMembershipCode(familyId: $f, code: $code) { id membership { level expiresAt } } }';
const NEW_BATCH = 'mutation($input: ActivationCodeBatchInput!) { createActivationCodeBatch(input: $input) { batch { id total unused } codes } }';

it('a family journey: families and default, a member by phone, the trial, then an activation code', async () => {
  const owner = await signUp();
  const member = await signUp();
  const home = ok(await gql(router, CREATE, { input: familyInput('家') }, owner.headers)).createFamily;
  const parents = ok(await gql(router, CREATE, { input: familyInput('父母家'), isDefault: true }, owner.headers)).createFamily;
  expect([home.isDefault, parents.isDefault]).toEqual([true, true]);
  ok(await gql(router, 'mutation($f: ID!, $p: String!) { addFamilyMember(familyId: $f, phone: $p) { id } }', { f: home.id, p: member.phone }, owner.headers));

  const before = ok(await gql(router, ME, {}, owner.headers)).me;
  expect(before.families.map((f: any) => [f.name, f.isDefault])).toEqual([['父母家', true], ['家', false]]);
  expect(before.defaultFamily).toEqual({ id: parents.id });
  expect(before.families[1].members).toEqual([{ id: member.id, nickname: expect.stringMatching(/^用户/) }]);
  expect(before.membership).toEqual({ level: 'NONE', expiresAt: null, familyId: null });
  expect(before.memberTrialTaken).toBe(false);

  const trial = ok(await gql(router, TRY, { f: home.id }, owner.headers)).startMemberTrial.membership;
  expect(trial.level).toBe('TRIAL');
  // The member benefits from the family they joined; check-tried for the owner and the family.
  expect(ok(await gql(router, ME, {}, member.headers)).me.membership).toEqual({ level: 'TRIAL', expiresAt: trial.expiresAt, familyId: home.id });
  const tried = ok(await gql(router, ME, {}, owner.headers)).me;
  expect(tried.memberTrialTaken).toBe(true);
  expect(tried.families.map((f: any) => f.memberTrialTaken)).toEqual([false, true]);
  // The owner's second family: the person already had their trial.
  expect(reasons(await gql(router, TRY, { f: parents.id }, owner.headers))).toEqual(['TRIAL_TAKEN']);

  const { codes: [code] } = ok(await gql(router, NEW_BATCH, { input: { count: 2, cycleDays: 365, purpose: '门店' } }, staff)).createActivationCodeBatch;
  const formal = ok(await gql(router, ACTIVATE, { f: parents.id, code }, owner.headers)).activateMembershipCode.membership;
  expect(formal.level).toBe('FORMAL');
  expect(Date.parse(formal.expiresAt) - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000);
  expect(ok(await gql(router, ME, {}, owner.headers)).me.membership).toEqual({ level: 'FORMAL', expiresAt: formal.expiresAt, familyId: parents.id });
  // The member is not in that family: still the trial.
  expect(ok(await gql(router, ME, {}, member.headers)).me.membership.level).toBe('TRIAL');
});

it('8 concurrent trials of one shopper take one; one code used 8 times at once activates once', async () => {
  const me = await signUp();
  const a = ok(await gql(router, CREATE, { input: familyInput('A') }, me.headers)).createFamily;
  const b = ok(await gql(router, CREATE, { input: familyInput('B') }, me.headers)).createFamily;
  const tries = await Promise.all(Array.from({ length: 8 }, (_, i) => gql(router, TRY, { f: i % 2 ? a.id : b.id }, me.headers)));
  expect(tries.filter((r) => !r.errors)).toHaveLength(1);
  expect(tries.flatMap(reasons)).toEqual(Array(7).fill('TRIAL_TAKEN'));

  const { codes: [code] } = ok(await gql(router, NEW_BATCH, { input: { count: 1, cycleDays: 30, purpose: 'race' } }, staff)).createActivationCodeBatch;
  const others = await Promise.all(Array.from({ length: 3 }, () => signUp()));
  const targets = [{ user: me, family: a }];
  for (const other of others) targets.push({ user: other, family: ok(await gql(router, CREATE, { input: familyInput('X') }, other.headers)).createFamily });
  const uses = await Promise.all([...targets, ...targets].map((t) => gql(router, ACTIVATE, { f: t.family.id, code }, t.user.headers)));
  expect(uses.filter((r) => !r.errors)).toHaveLength(1);
  expect(uses.flatMap(reasons)).toEqual(Array(7).fill('CODE_USED'));
});

it('throttles wrong codes per shopper (RATE_LIMITED), checks the staff scope, and hides the internal field', async () => {
  const me = await signUp();
  const family = ok(await gql(router, CREATE, { input: familyInput('T') }, me.headers)).createFamily;
  for (let i = 0; i < 3; i++) expect(reasons(await gql(router, ACTIVATE, { f: family.id, code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ' }, me.headers))).toEqual(['CODE_INVALID']);
  const limited = await gql(router, ACTIVATE, { f: family.id, code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ' }, me.headers);
  expect(codes(limited)).toEqual(['RATE_LIMITED']);
  expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);

  expect(codes(await gql(router, NEW_BATCH, { input: { count: 1, cycleDays: 30, purpose: 'x' } }, me.headers))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, '{ activationCodeBatches { id } }', {}, me.headers))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, '{ activationCodeBatches { id } }'))).toEqual(['UNAUTHENTICATED']);
  const internal = await gql(router, 'query($ids: [ID!]!) { membershipsOfUsers(userIds: $ids) { userId } }', { ids: [me.id] }, staff);
  expect(codes(internal)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
});
