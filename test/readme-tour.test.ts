/**
 * The README's "A five-minute tour", run as written: every ```graphql block of that section in order (a ```json block
 * right after one is its variables) against a freshly migrated and seeded shop, as a newcomer's first `npm start`
 * has it, with the access token of the sign-in in the Authorization header and the sandbox cashier called as the
 * README's curl does. Needs a database of its own (real PostgreSQL): the ids the tour names are a fresh shop's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gql } from './support/harness';
import { startIsolatedSupergraph, type IsolatedSupergraph } from './support/isolated-supergraph';

interface Step {
  query: string;
  variables: Record<string, unknown>;
  name: string;
}

/** The tour's operations, in order. */
export function tourSteps(readme: string): Step[] {
  const start = readme.indexOf('\n## A five-minute tour');
  if (start < 0) throw new Error('README has no "## A five-minute tour" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```(graphql|json)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ lang, body }));
  const steps: Step[] = [];
  for (const block of blocks) {
    if (block.lang === 'graphql') {
      const name = block.body.match(/^\s*(?:query|mutation|subscription)\s+(\w+)/)?.[1];
      if (!name) throw new Error(`a tour operation without a name:\n${block.body}`);
      steps.push({ query: block.body, variables: {}, name });
    } else {
      const previous = steps[steps.length - 1];
      if (!previous || Object.keys(previous.variables).length) throw new Error(`variables without their operation:\n${block.body}`);
      previous.variables = JSON.parse(block.body) as Record<string, unknown>;
    }
  }
  return steps;
}

const readme = fs.readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');

it('reads the tour from the README: named operations, variables after their operation', () => {
  const steps = tourSteps(readme);
  expect(steps.map((step) => step.name)).toEqual(['SignIn', 'Me', 'Catalog', 'AddToCart', 'Preview', 'Checkout', 'Pay', 'MyOrder']);
  expect(steps.find((step) => step.name === 'Preview')!.query).toContain('$input: CheckoutInput!');
});

const withFreshDatabase = process.env.SHOP_TEST_ADMIN_URL ? it : it.skip;

withFreshDatabase('every step of the tour answers without errors on a freshly seeded shop, and the order ends PAID', async () => {
  let shop: IsolatedSupergraph | undefined;
  try {
    shop = await startIsolatedSupergraph({});
    const router = shop.routerUrl!;
    const headers: Record<string, string> = {};
    const answers: Record<string, any> = {};
    for (const step of tourSteps(readme)) {
      const answer = await gql(router, step.query, step.variables, headers);
      expect({ step: step.name, status: answer.status, errors: answer.errors }).toEqual({ step: step.name, status: 200, errors: undefined });
      answers[step.name] = answer.data;
      if (step.name === 'SignIn') headers.authorization = `Bearer ${answer.data.login.accessToken}`;
      if (step.name === 'Pay') {
        // `curl -X POST '<sandboxPayUrl>'`, to this router's origin (the test's ports are ephemeral).
        const cashier = await fetch(new URL(new URL(answer.data.payOrder.sandboxPayUrl).pathname, router), { method: 'POST' });
        expect(cashier.status).toBe(200);
      }
    }
    // What the tour says each step shows.
    expect(answers.Me.me.addresses).toEqual([expect.objectContaining({ id: '1', isDefault: true })]);
    expect(answers.AddToCart.addToCart.items).toEqual([expect.objectContaining({ id: '1', quantity: 2 })]);
    expect(answers.Preview.previewOrder.items).toHaveLength(1);
    expect(answers.Checkout.createOrder).toMatchObject({ id: '1', status: 'PENDING_PAYMENT', total: answers.Preview.previewOrder.total });
    const paid = async () => (await gql(router, 'query { order(id: "1") { status } }', {}, headers)).data.order.status;
    for (let i = 0; i < 100 && (await paid()) !== 'PAID'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await paid()).toBe('PAID');
  } finally {
    await shop?.stop();
  }
}, 240_000);
