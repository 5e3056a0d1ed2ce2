/**
 * Families and membership in the user subgraph, against the run's real database: the cap of 3 and the one default
 * under concurrent calls, members by phone, privacy, the once-per-person-and-family trial under concurrency,
 * activation codes (hashed, once under concurrent use, cancel, throttled and recorded wrong tries), read-time expiry,
 * the internal batch field and its allow-list, MembershipChanged in the outbox, and constant statements for a user's
 * families with members and membership.
 */
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../app/launcher';
import { countStatements } from '../../platform/db';
import { anonymousTo, asIdentity, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from '../../test/support/harness';
import { accessRiskRetention } from './access-risk-retention';
import { hashCode } from './activation-codes';

let supergraph: RunningSupergraph;
let strict: RunningSupergraph;
let url: string;
let strictUrl: string;
let db: Knex;

// Throttles count in memory here: each run's database numbers users from 1 again, so Redis counts of an earlier run
// would carry over (the router test runs them on Redis).
const IN_MEMORY = { REDIS_URL: '' };

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['user'], router: false, config: testConfig({ ...IN_MEMORY, MEMBER_TRIAL_DAYS: '3' }) });
  strict = await startSupergraph({
    subgraphs: ['user'],
    router: false,
    config: testConfig({ ...IN_MEMORY, MEMBER_CODE_MAX_FAILURES_PER_USER: '3', MEMBER_CODE_MAX_FAILURES_PER_IP: '5' }),
  });
  url = supergraph.subgraphs.user!.url;
  strictUrl = strict.subgraphs.user!.url;
  db = supergraph.subgraphs.user!.db;
});
afterAll(async () => {
  await supergraph?.stop();
  await strict?.stop();
});

const DAY = 24 * 3600 * 1000;

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors ?? response)}`);
  return response.data;
}
const reasons = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.reason);

async function newUser(): Promise<{ id: string; phone: string }> {
  const phone = uniquePhone();
  const data = ok(
    await gql(url, 'mutation($input: RegisterInput!) { register(input: $input) { user { id } } }', { input: { phone, password: 'secret123' } }, anonymousTo('user')),
  );
  return { id: data.register.user.id, phone };
}

const as = (userId: string, clientIp = '198.51.100.7') => asIdentity({ userId, clientIp }, 'user');
const staff = (userId = '1') => asIdentity({ userId, scopes: ['member:write'] }, 'user');
const call = <T = any>(userId: string, query: string, variables: Record<string, unknown> = {}, target = url, clientIp?: string) =>
  gql<T>(target, query, variables, as(userId, clientIp));

const FAMILY_FIELDS = `id name contactName phone province city district detail isDefault owner { id } members { id nickname }
  membership { level expiresAt familyId } memberTrialTaken createdAt`;
const CREATE = `mutation($input: FamilyInput!, $isDefault: Boolean) { createFamily(input: $input, isDefault: $isDefault) { ${FAMILY_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: FamilyInput!) { updateFamily(id: $id, input: $input) { ${FAMILY_FIELDS} } }`;
const SET_DEFAULT = `mutation($id: ID!) { setDefaultFamily(id: $id) { id isDefault } }`;
const ADD_MEMBER = `mutation($f: ID!, $phone: String!) { addFamilyMember(familyId: $f, phone: $phone) { id members { id } } }`;
const REMOVE_MEMBER = `mutation($f: ID!, $u: ID!) { removeFamilyMember(familyId: $f, userId: $u) }`;
const GET = `query($id: ID!) { family(id: $id) { ${FAMILY_FIELDS} } }`;
const MINE = `query { me { families { id isDefault owner { id } members { id } membership { level expiresAt } }
  defaultFamily { id } membership { level expiresAt familyId } memberTrialTaken } }`;
const TRY = `mutation($f: ID!) { startMemberTrial(familyId: $f) { id membership { level expiresAt familyId } memberTrialTaken } }`;
const ACTIVATE = `mutation($f: ID!, $code: String!) { activateMembershipCode(familyId: $f, code: $code) { id membership { level expiresAt } } }`;
const NEW_BATCH = `mutation($input: ActivationCodeBatchInput!) { createActivationCodeBatch(input: $input) {
  batch { id cycleDays purpose total unused used canceled createdBy createdAt } codes } }`;
const BATCHES = `query($first: Int) { activationCodeBatches(first: $first) { id total unused used canceled } }`;
const CANCEL = `mutation($b: ID!, $codes: [String!]) { cancelActivationCodes(batchId: $b, codes: $codes) }`;
const MEMBERSHIPS = `query($ids: [ID!]!) { membershipsOfUsers(userIds: $ids) { userId membership { level expiresAt familyId } } }`;

const input = (name = '我家') => ({
  name,
  contactName: '张三',
  phone: '13800138000',
  province: '广东省',
  city: '深圳市',
  district: '南山区',
  detail: '科技园1号',
});

async function createFamily(ownerId: string, name = '我家', isDefault?: boolean): Promise<any> {
  return ok(await call(ownerId, CREATE, { input: input(name), isDefault })).createFamily;
}

async function newBatch(count: number, cycleDays: number) {
  return ok(await gql(url, NEW_BATCH, { input: { count, cycleDays, purpose: 'test channel' } }, staff())).createActivationCodeBatch;
}

const defaults = async (ownerId: string) =>
  Number((await db('families').where({ owner_id: ownerId, is_default: true }).count<{ count: string }>({ count: '*' }).first())!.count);

describe('families', () => {
  it('creates up to 3 families, the first the default; the fourth is FAMILIES_FULL and writes nothing', async () => {
    const me = await newUser();
    const first = await createFamily(me.id, '一家');
    expect(first).toMatchObject({ ...input('一家'), isDefault: true, owner: { id: me.id }, members: [], membership: { level: 'NONE', expiresAt: null } });
    const second = await createFamily(me.id, '二家');
    expect(second.isDefault).toBe(false);
    const third = await createFamily(me.id, '三家', true);
    expect(third.isDefault).toBe(true);
    const full = await call(me.id, CREATE, { input: input('四家') });
    expect(codes(full)).toEqual(['CONFLICT']);
    expect(reasons(full)).toEqual(['FAMILIES_FULL']);
    const mine = ok(await call(me.id, MINE)).me;
    // Default first, then oldest first.
    expect(mine.families.map((f: any) => f.id)).toEqual([third.id, first.id, second.id]);
    expect(mine.defaultFamily).toEqual({ id: third.id });
    expect(await defaults(me.id)).toBe(1);
  });

  it('holds the cap and the one default under 6 concurrent creates', async () => {
    const me = await newUser();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => call(me.id, CREATE, { input: input(`家${i}`), isDefault: true })));
    expect(results.filter((r) => !r.errors).length).toBe(3);
    expect(results.filter((r) => r.errors).every((r) => reasons(r)[0] === 'FAMILIES_FULL')).toBe(true);
    expect(Number((await db('families').where({ owner_id: me.id }).count<{ count: string }>({ count: '*' }).first())!.count)).toBe(3);
    expect(await defaults(me.id)).toBe(1);
  });

  it('moves the default, also under concurrent setDefaultFamily calls', async () => {
    const me = await newUser();
    const a = await createFamily(me.id, 'A');
    const b = await createFamily(me.id, 'B');
    const c = await createFamily(me.id, 'C');
    expect(ok(await call(me.id, SET_DEFAULT, { id: b.id })).setDefaultFamily).toEqual({ id: b.id, isDefault: true });
    expect(ok(await call(me.id, GET, { id: a.id })).family.isDefault).toBe(false);
    await Promise.all([a, b, c, a, c].map((f) => call(me.id, SET_DEFAULT, { id: f.id })));
    expect(await defaults(me.id)).toBe(1);
    const other = await newUser();
    expect(codes(await call(other.id, SET_DEFAULT, { id: a.id }))).toEqual(['NOT_FOUND']);
    expect(await defaults(me.id)).toBe(1);
  });

  it('updates details for the owner only, validating input; the default is not touched', async () => {
    const me = await newUser();
    const family = await createFamily(me.id);
    const updated = ok(await call(me.id, UPDATE, { id: family.id, input: { ...input('新名字'), phone: '010-12345678' } })).updateFamily;
    expect(updated).toMatchObject({ name: '新名字', phone: '010-12345678', isDefault: true });
    for (const bad of [{ name: '  ' }, { name: 'x'.repeat(33) }, { phone: '123' }, { detail: 'a\u0000b' }]) {
      const response = await call(me.id, UPDATE, { id: family.id, input: { ...input(), ...bad } });
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await call(me.id, CREATE, { input: { ...input(), contactName: '' } }))).toEqual(['BAD_USER_INPUT']);
    const other = await newUser();
    expect(codes(await call(other.id, UPDATE, { id: family.id, input: input('抢') }))).toEqual(['NOT_FOUND']);
    expect(codes(await call(other.id, GET, { id: family.id }))).toEqual(['NOT_FOUND']);
    expect(codes(await call(me.id, GET, { id: 'nope' }))).toEqual(['NOT_FOUND']);
    expect(ok(await call(me.id, GET, { id: family.id })).family.name).toBe('新名字');
    expect(codes(await gql(url, CREATE, { input: input() }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
  });

  it('adds members by phone; members see the family read-only and may leave; others see nothing', async () => {
    const owner = await newUser();
    const member = await newUser();
    const family = await createFamily(owner.id);
    expect(ok(await call(owner.id, ADD_MEMBER, { f: family.id, phone: member.phone })).addFamilyMember.members).toEqual([{ id: member.id }]);
    // Again, and the owner themself: no-ops.
    expect(ok(await call(owner.id, ADD_MEMBER, { f: family.id, phone: member.phone })).addFamilyMember.members).toEqual([{ id: member.id }]);
    expect(ok(await call(owner.id, ADD_MEMBER, { f: family.id, phone: owner.phone })).addFamilyMember.members).toEqual([{ id: member.id }]);
    const unknown = await call(owner.id, ADD_MEMBER, { f: family.id, phone: uniquePhone() });
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
    expect(reasons(unknown)).toEqual(['NO_SUCH_ACCOUNT']);
    expect(codes(await call(owner.id, ADD_MEMBER, { f: family.id, phone: '12' }))).toEqual(['BAD_USER_INPUT']);
    // A member cannot add members or edit.
    expect(codes(await call(member.id, ADD_MEMBER, { f: family.id, phone: owner.phone }))).toEqual(['NOT_FOUND']);
    expect(codes(await call(member.id, UPDATE, { id: family.id, input: input('x') }))).toEqual(['NOT_FOUND']);
    // The member sees it among their families, but has no default family (they own none).
    const seen = ok(await call(member.id, MINE)).me;
    expect(seen.families.map((f: any) => f.id)).toEqual([family.id]);
    expect(seen.defaultFamily).toBeNull();
    expect(ok(await call(member.id, GET, { id: family.id })).family.owner.id).toBe(owner.id);
    // Another viewer of the user (entities) sees no families, membership or trial.
    const other = await newUser();
    const entity = ok(
      await call(other.id, `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { families { id } defaultFamily { id } membership { level } memberTrialTaken } } }`, {
        r: [{ __typename: 'User', id: owner.id }],
      }),
    );
    expect(entity._entities).toEqual([{ families: [], defaultFamily: null, membership: null, memberTrialTaken: null }]);
    // Someone else cannot remove; the member leaves.
    expect(codes(await call(other.id, REMOVE_MEMBER, { f: family.id, u: member.id }))).toEqual(['NOT_FOUND']);
    const third = await newUser();
    ok(await call(owner.id, ADD_MEMBER, { f: family.id, phone: third.phone }));
    expect(codes(await call(member.id, REMOVE_MEMBER, { f: family.id, u: third.id }))).toEqual(['FORBIDDEN']);
    expect(ok(await call(member.id, REMOVE_MEMBER, { f: family.id, u: member.id })).removeFamilyMember).toBe(true);
    expect(ok(await call(owner.id, REMOVE_MEMBER, { f: family.id, u: member.id })).removeFamilyMember).toBe(false);
    expect(ok(await call(owner.id, REMOVE_MEMBER, { f: family.id, u: third.id })).removeFamilyMember).toBe(true);
    expect(ok(await call(member.id, MINE)).me.families).toEqual([]);
  });

  it('reads a user with 3 families, their members and membership in constant statements', async () => {
    const measure = async (familyCount: number) => {
      const me = await newUser();
      for (let i = 0; i < familyCount; i++) {
        const family = await createFamily(me.id, `家${i}`);
        for (let j = 0; j < 3; j++) ok(await call(me.id, ADD_MEMBER, { f: family.id, phone: (await newUser()).phone }));
      }
      const counter = countStatements(db);
      try {
        const data = ok(await call(me.id, MINE));
        expect(data.me.families).toHaveLength(familyCount);
        return counter.count;
      } finally {
        counter.stop();
      }
    };
    const one = await measure(1);
    expect(await measure(3)).toBe(one);
  });
});

describe('free trial', () => {
  it('is taken once per person and once per family, for MEMBER_TRIAL_DAYS, even with 8 concurrent tries', async () => {
    const me = await newUser();
    const family = await createFamily(me.id);
    const other = await createFamily(me.id, '另一个');
    expect(ok(await call(me.id, MINE)).me.memberTrialTaken).toBe(false);
    const before = Date.now();
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => call(me.id, TRY, { f: family.id })),
      call(me.id, TRY, { f: other.id }),
      call(me.id, TRY, { f: other.id }),
    ]);
    const won = results.filter((r) => !r.errors);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.errors).map((r) => reasons(r)[0])).toEqual(Array(7).fill('TRIAL_TAKEN'));
    expect(Number((await db('member_trials').where({ user_id: me.id }).count<{ count: string }>({ count: '*' }).first())!.count)).toBe(1);
    const trial = won[0].data!.startMemberTrial;
    expect(trial.membership.level).toBe('TRIAL');
    const expires = Date.parse(trial.membership.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 3 * DAY - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3 * DAY + 1000);
    expect(trial.memberTrialTaken).toBe(true);
    const mine = ok(await call(me.id, MINE)).me;
    expect(mine.memberTrialTaken).toBe(true);
    expect(mine.membership).toEqual({ level: 'TRIAL', expiresAt: trial.membership.expiresAt, familyId: trial.id });
  });

  it('refuses a family that already had a trial (even for a new owner), a FORMAL family and a family of someone else', async () => {
    // The family had its trial: a new person cannot take it there (only the owner can try, so simulate a transfer).
    const first = await newUser();
    const family = await createFamily(first.id);
    ok(await call(first.id, TRY, { f: family.id }));
    const second = await newUser();
    await db('families').where({ id: family.id }).update({ owner_id: second.id, is_default: false });
    const again = await call(second.id, TRY, { f: family.id });
    expect(reasons(again)).toEqual(['TRIAL_TAKEN']);
    expect(Number((await db('member_trials').where({ user_id: second.id }).count<{ count: string }>({ count: '*' }).first())!.count)).toBe(0);
    // A FORMAL member family: no trial.
    const third = await newUser();
    const formal = await createFamily(third.id);
    await db('families').where({ id: formal.id }).update({ vip_level: 'FORMAL', vip_expires_at: new Date(Date.now() + 30 * DAY) });
    expect(reasons(await call(third.id, TRY, { f: formal.id }))).toEqual(['ALREADY_MEMBER']);
    // Someone else's family: NOT_FOUND.
    expect(codes(await call(third.id, TRY, { f: family.id }))).toEqual(['NOT_FOUND']);
  });
});

describe('activation codes', () => {
  it('are staff-only (member:write), shown once and stored hashed', async () => {
    const shopper = await newUser();
    expect(codes(await call(shopper.id, NEW_BATCH, { input: { count: 1, cycleDays: 30, purpose: 'x' } }))).toEqual(['FORBIDDEN']);
    expect(codes(await call(shopper.id, BATCHES))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, NEW_BATCH, { input: { count: 0, cycleDays: 30, purpose: 'x' } }, staff()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, NEW_BATCH, { input: { count: 1001, cycleDays: 30, purpose: 'x' } }, staff()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, NEW_BATCH, { input: { count: 1, cycleDays: 3661, purpose: 'x' } }, staff()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, NEW_BATCH, { input: { count: 1, cycleDays: 30, purpose: ' ' } }, staff()))).toEqual(['BAD_USER_INPUT']);
    const { batch, codes: list } = await newBatch(5, 30);
    expect(batch).toMatchObject({ cycleDays: 30, purpose: 'test channel', total: 5, unused: 5, used: 0, canceled: 0, createdBy: '1' });
    expect(new Set(list).size).toBe(5);
    for (const code of list) expect(code).toMatch(/^[A-HJKMNP-Z2-9]{16}$/);
    const stored = await db('activation_codes').where({ batch_id: batch.id }).select('code_hash');
    expect(stored.map((row) => row.code_hash).sort()).toEqual(list.map(hashCode).sort());
    expect(JSON.stringify(await db('activation_codes').where({ batch_id: batch.id }))).not.toContain(list[0]);
    const listed = ok(await gql(url, BATCHES, { first: 100 }, staff())).activationCodeBatches;
    expect(listed.find((b: any) => b.id === batch.id)).toEqual({ id: batch.id, total: 5, unused: 5, used: 0, canceled: 0 });
  });

  it('grant FORMAL for the cycle, extending from a later FORMAL expiry; a used code is CODE_USED', async () => {
    const me = await newUser();
    const family = await createFamily(me.id);
    ok(await call(me.id, TRY, { f: family.id }));
    const { batch, codes: list } = await newBatch(3, 30);
    const before = Date.now();
    // Typed in lower case with dashes: still the code. The trial's rest is not added.
    const typed = list[0].toLowerCase().replace(/(.{4})(?!$)/g, '$1-');
    const first = ok(await call(me.id, ACTIVATE, { f: family.id, code: typed })).activateMembershipCode;
    expect(first.membership.level).toBe('FORMAL');
    const firstExpiry = Date.parse(first.membership.expiresAt);
    expect(firstExpiry).toBeGreaterThanOrEqual(before + 30 * DAY - 1000);
    expect(firstExpiry).toBeLessThanOrEqual(Date.now() + 30 * DAY + 1000);
    const second = ok(await call(me.id, ACTIVATE, { f: family.id, code: list[1] })).activateMembershipCode;
    expect(Date.parse(second.membership.expiresAt)).toBe(firstExpiry + 30 * DAY);
    const reused = await call(me.id, ACTIVATE, { f: family.id, code: list[1] });
    expect(codes(reused)).toEqual(['CONFLICT']);
    expect(reasons(reused)).toEqual(['CODE_USED']);
    const row = await db('activation_codes').where({ code_hash: hashCode(list[1]) }).first();
    expect(row).toMatchObject({ status: 'USED', used_by: me.id, used_family_id: family.id, used_ip: '198.51.100.7' });
    const listed = ok(await gql(url, BATCHES, { first: 100 }, staff())).activationCodeBatches;
    expect(listed.find((b: any) => b.id === batch.id)).toMatchObject({ unused: 1, used: 2 });
    // Only the owner's own family.
    const other = await newUser();
    expect(codes(await call(other.id, ACTIVATE, { f: family.id, code: list[2] }))).toEqual(['NOT_FOUND']);
    expect((await db('activation_codes').where({ code_hash: hashCode(list[2]) }).first()).status).toBe('OK');
  });

  it('a code used 8 times at once (on different families) activates exactly once', async () => {
    const { codes: [code] } = await newBatch(1, 10);
    const owners = await Promise.all(Array.from({ length: 4 }, () => newUser()));
    const families = await Promise.all(owners.map((owner) => createFamily(owner.id)));
    const results = await Promise.all([...owners, ...owners].map((owner, i) => call(owner.id, ACTIVATE, { f: families[i % 4].id, code }, url, `203.0.113.${i}`)));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).map((r) => reasons(r)[0])).toEqual(Array(7).fill('CODE_USED'));
    const formal = await db('families').whereIn('id', families.map((f) => f.id)).where({ vip_level: 'FORMAL' });
    expect(formal).toHaveLength(1);
  });

  it('different codes used at once on one family all count: the family row lock serializes the expiry arithmetic', async () => {
    const me = await newUser();
    const family = await createFamily(me.id);
    const { codes: list } = await newBatch(4, 5);
    const before = Date.now();
    const results = await Promise.all(list.map((code: string) => call(me.id, ACTIVATE, { f: family.id, code })));
    expect(results.filter((r) => r.errors)).toEqual([]);
    const expires = Date.parse(ok(await call(me.id, GET, { id: family.id })).family.membership.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 20 * DAY - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 20 * DAY + 1000);
  });

  it('cancels unused codes (given ones, or the whole batch); a canceled code is CODE_CANCELED', async () => {
    const me = await newUser();
    const family = await createFamily(me.id);
    const { batch, codes: list } = await newBatch(4, 30);
    ok(await call(me.id, ACTIVATE, { f: family.id, code: list[0] }));
    expect(codes(await call(me.id, CANCEL, { b: batch.id, codes: [list[1]] }))).toEqual(['FORBIDDEN']);
    expect(ok(await gql(url, CANCEL, { b: batch.id, codes: [list[0], list[1], 'not-a-code'] }, staff())).cancelActivationCodes).toBe(1);
    const canceled = await call(me.id, ACTIVATE, { f: family.id, code: list[1] });
    expect(codes(canceled)).toEqual(['BAD_USER_INPUT']);
    expect(reasons(canceled)).toEqual(['CODE_CANCELED']);
    expect(ok(await gql(url, CANCEL, { b: batch.id }, staff())).cancelActivationCodes).toBe(2);
    expect(codes(await gql(url, CANCEL, { b: '999999999' }, staff()))).toEqual(['NOT_FOUND']);
    const listed = ok(await gql(url, BATCHES, { first: 100 }, staff())).activationCodeBatches;
    expect(listed.find((b: any) => b.id === batch.id)).toMatchObject({ unused: 0, used: 1, canceled: 3 });
  });

  it('throttles wrong codes per shopper and per address, and records every attempt with its address', async () => {
    const me = await newUser();
    const family = await createFamily(me.id);
    const { codes: [good] } = await newBatch(1, 30);
    const wrong = (userId: string, familyId: string, ip: string) => call(userId, ACTIVATE, { f: familyId, code: 'ABCDEFGHJKMNPQRS' }, strictUrl, ip);
    for (let i = 0; i < 3; i++) expect(reasons(await wrong(me.id, family.id, '192.0.2.1'))).toEqual(['CODE_INVALID']);
    const limited = await wrong(me.id, family.id, '192.0.2.1');
    expect(codes(limited)).toEqual(['RATE_LIMITED']);
    expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // Even a good code waits now: nothing used.
    expect(codes(await call(me.id, ACTIVATE, { f: family.id, code: good }, strictUrl, '192.0.2.1'))).toEqual(['RATE_LIMITED']);
    expect((await db('activation_codes').where({ code_hash: hashCode(good) }).first()).status).toBe('OK');
    const risks = await db('access_risks').where({ user_id: me.id }).orderBy('id');
    expect(risks.map((r) => [r.ip, r.path, r.outcome])).toEqual(Array(3).fill(['192.0.2.1', 'activateMembershipCode', 'INVALID']));
    // Per address: other shoppers from one address share 5 wrong tries.
    const ip = '192.0.2.99';
    let refused = 0;
    for (let i = 0; i < 4; i++) {
      const someone = await newUser();
      const theirs = await createFamily(someone.id);
      for (let j = 0; j < 2; j++) if (codes(await wrong(someone.id, theirs.id, ip))[0] === 'RATE_LIMITED') refused++;
    }
    expect(refused).toBe(3);
  });

  it('keeps activation attempts MEMBER_ACCESS_RISK_RETENTION_DAYS (a periodic job of user deletes older ones)', async () => {
    const me = await newUser();
    const [old] = await db('access_risks').insert({ user_id: me.id, ip: '192.0.2.5', path: 'activateMembershipCode', outcome: 'INVALID', created_at: new Date(Date.now() - 181 * DAY) }).returning('id');
    const [recent] = await db('access_risks').insert({ user_id: me.id, ip: '192.0.2.5', path: 'activateMembershipCode', outcome: 'INVALID', created_at: new Date(Date.now() - 179 * DAY) }).returning('id');
    await accessRiskRetention(db, testConfig()).runNow();
    expect((await db('access_risks').whereIn('id', [old.id, recent.id]).select('id')).map((row) => row.id)).toEqual([recent.id]);
  });
});

describe('membership reads and events', () => {
  it('reads expiry at read time, picks the best family, and answers the internal batch field to allowed callers only', async () => {
    const owner = await newUser();
    const member = await newUser();
    const lonely = await newUser();
    const family = await createFamily(owner.id);
    const trialFamily = await createFamily(member.id);
    ok(await call(member.id, TRY, { f: trialFamily.id }));
    ok(await call(owner.id, ADD_MEMBER, { f: family.id, phone: member.phone }));
    const { codes: [code] } = await newBatch(1, 365);
    const formal = ok(await call(owner.id, ACTIVATE, { f: family.id, code })).activateMembershipCode.membership;
    // The member's best: the FORMAL family they joined beats the TRIAL one they own.
    expect(ok(await call(member.id, MINE)).me.membership).toEqual({ level: 'FORMAL', expiresAt: formal.expiresAt, familyId: family.id });
    const ids = [member.id, lonely.id, 'x', owner.id];
    const asCart = asIdentity({ service: 'cart' }, 'user');
    const answer = ok(await gql(url, MEMBERSHIPS, { ids }, asCart)).membershipsOfUsers;
    expect(answer).toEqual([
      { userId: member.id, membership: { level: 'FORMAL', expiresAt: formal.expiresAt, familyId: family.id } },
      { userId: lonely.id, membership: { level: 'NONE', expiresAt: null, familyId: null } },
      { userId: 'x', membership: { level: 'NONE', expiresAt: null, familyId: null } },
      { userId: owner.id, membership: { level: 'FORMAL', expiresAt: formal.expiresAt, familyId: family.id } },
    ]);
    for (const service of ['order', 'product', 'promote'] as const) {
      expect(codes(await gql(url, MEMBERSHIPS, { ids: [owner.id] }, asIdentity({ service }, 'user')))).toEqual([]);
    }
    expect(codes(await gql(url, MEMBERSHIPS, { ids: [owner.id] }, asIdentity({ service: 'payment' }, 'user')))).toEqual(['FORBIDDEN']);
    expect(codes(await call(owner.id, MEMBERSHIPS, { ids: [owner.id] }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, MEMBERSHIPS, { ids: Array(501).fill('1') }, asCart))).toEqual(['BAD_USER_INPUT']);
    // Expired: NONE at once, no job needed; the member falls back to their trial.
    const past = new Date(Date.now() - 1000);
    await db('families').where({ id: family.id }).update({ vip_expires_at: past });
    expect(ok(await call(owner.id, GET, { id: family.id })).family.membership).toEqual({ level: 'NONE', expiresAt: past.toISOString(), familyId: family.id });
    expect(ok(await call(member.id, MINE)).me.membership.level).toBe('TRIAL');
    // A code on an expired FORMAL family counts from now.
    const { codes: [next] } = await newBatch(1, 10);
    const before = Date.now();
    const renewed = ok(await call(owner.id, ACTIVATE, { f: family.id, code: next })).activateMembershipCode.membership;
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThanOrEqual(before + 10 * DAY - 1000);
  });

  it('appends MembershipChanged to the outbox on trial, activation and member changes, and the relay publishes it', async () => {
    const owner = await newUser();
    const member = await newUser();
    const family = await createFamily(owner.id);
    const events = async () =>
      (await db('outbox').where({ stream: 'shop.user.family', aggregate_id: family.id }).orderBy('id')).map((row) => ({ type: row.type, payload: row.payload }));
    const trial = ok(await call(owner.id, TRY, { f: family.id })).startMemberTrial.membership;
    ok(await call(owner.id, ADD_MEMBER, { f: family.id, phone: member.phone }));
    const { codes: [code] } = await newBatch(1, 30);
    const formal = ok(await call(owner.id, ACTIVATE, { f: family.id, code })).activateMembershipCode.membership;
    ok(await call(member.id, REMOVE_MEMBER, { f: family.id, u: member.id }));
    const base = { familyId: family.id, ownerId: owner.id };
    expect(await events()).toEqual([
      { type: 'MembershipChanged', payload: { ...base, memberUserIds: [], level: 'TRIAL', expiresAt: trial.expiresAt } },
      { type: 'MembershipChanged', payload: { ...base, memberUserIds: [member.id], level: 'TRIAL', expiresAt: trial.expiresAt } },
      { type: 'MembershipChanged', payload: { ...base, memberUserIds: [member.id], level: 'FORMAL', expiresAt: formal.expiresAt } },
      { type: 'MembershipChanged', payload: { ...base, memberUserIds: [], level: 'FORMAL', expiresAt: formal.expiresAt } },
    ]);
    // A failed change appends nothing.
    await call(owner.id, ACTIVATE, { f: family.id, code });
    expect(await events()).toHaveLength(4);
    // user's relay publishes them (the outbox marks them published).
    const deadline = Date.now() + 10_000;
    let unpublished = Infinity;
    while (Date.now() < deadline && unpublished > 0) {
      unpublished = Number(
        (await db('outbox').where({ stream: 'shop.user.family', aggregate_id: family.id }).whereNull('published_at').count<{ count: string }>({ count: '*' }).first())!.count,
      );
      if (unpublished > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(unpublished).toBe(0);
  });
});
