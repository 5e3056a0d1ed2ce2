/**
 * Isolation of open calls (seed 004 §3.3.3, Hystrix's role), with cockatiel:
 * - a circuit breaker per subgraph, around every fetch an open call makes to it (router/gateway.ts asks `guard`):
 *   OPEN_BREAKER_FAILURES consecutive failures (unreachable, timeout, HTTP 5xx, or an INTERNAL_SERVER_ERROR answer)
 *   open it; while open, calls needing that subgraph fail fast (SERVICE_UNAVAILABLE) without touching it; after
 *   OPEN_BREAKER_HALF_OPEN_MS one probe is let through, and its outcome closes or reopens the breaker. Business answers
 *   (NOT_FOUND, CONFLICT…) are successes. Shop traffic on /graphql is not affected by these breakers.
 * - a bulkhead per method: at most `maxConcurrency` calls of one method run at once on an instance, as many more wait,
 *   the rest are refused at once (API_BUSY), so one slow API cannot take every connection from the others.
 * Nothing here retries: a non-idempotent method is never sent twice (and idempotent ones are not retried either: the
 * ISV's client decides, with a fresh nonce).
 */
import { BrokenCircuitError, BulkheadRejectedError, ConsecutiveBreaker, bulkhead, circuitBreaker, handleWhen, type BulkheadPolicy, type CircuitBreakerPolicy } from 'cockatiel';
import type { Config } from '../../platform/config';
import { logger } from '../../platform/log';

const openLog = logger({ component: 'open' });

/** A fetch that failed in a way that says the subgraph is unwell (as opposed to a business answer). */
export class SubgraphFailure extends Error {
  constructor(
    readonly subgraph: string,
    readonly outcome: { error?: unknown; response?: unknown },
  ) {
    super(`${subgraph} failed`);
  }
}

export class BreakerOpen extends Error {
  constructor(readonly subgraph: string) {
    super(`The ${subgraph} service is failing; calls are refused for a while`);
  }
}

export class Isolation {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly bulkheads = new Map<string, { size: number; policy: BulkheadPolicy }>();
  /** Breaker state changes, for operators and tests. */
  readonly stats = { opened: 0, halfOpened: 0, closed: 0, rejectedFast: 0, busy: 0 };

  constructor(private readonly config: Config) {}

  breaker(subgraph: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(subgraph);
    if (!breaker) {
      breaker = circuitBreaker(handleWhen((error) => error instanceof SubgraphFailure), {
        halfOpenAfter: this.config.open.breakerHalfOpenMs,
        breaker: new ConsecutiveBreaker(this.config.open.breakerFailures),
      });
      breaker.onBreak(() => {
        this.stats.opened++;
        openLog.warn({ subgraph }, `open platform: circuit of ${subgraph} opened`);
      });
      breaker.onHalfOpen(() => void this.stats.halfOpened++);
      breaker.onReset(() => {
        this.stats.closed++;
        openLog.warn({ subgraph }, `open platform: circuit of ${subgraph} closed`);
      });
      this.breakers.set(subgraph, breaker);
    }
    return breaker;
  }

  /**
   * Runs one fetch to `subgraph` through its breaker. `isFailure` says whether a response that arrived is a failure
   * (an INTERNAL_SERVER_ERROR answer). Thrown errors are failures. The caller gets the original outcome back.
   */
  async guard<T>(subgraph: string, fetch: () => Promise<T>, isFailure: (response: T) => boolean): Promise<T> {
    try {
      return await this.breaker(subgraph).execute(async () => {
        let response: T;
        try {
          response = await fetch();
        } catch (error) {
          throw new SubgraphFailure(subgraph, { error });
        }
        if (isFailure(response)) throw new SubgraphFailure(subgraph, { response });
        return response;
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        this.stats.rejectedFast++;
        throw new BreakerOpen(subgraph);
      }
      if (error instanceof SubgraphFailure) {
        if (error.outcome.response !== undefined) return error.outcome.response as T;
        throw error.outcome.error;
      }
      throw error;
    }
  }

  /** Runs a call of `method` within its concurrency cap; throws BulkheadRejectedError when full. */
  async limited<T>(method: string, maxConcurrency: number, run: () => Promise<T>): Promise<T> {
    let entry = this.bulkheads.get(method);
    if (!entry || entry.size !== maxConcurrency) {
      entry = { size: maxConcurrency, policy: bulkhead(maxConcurrency, maxConcurrency) };
      this.bulkheads.set(method, entry);
    }
    try {
      return await entry.policy.execute(run);
    } catch (error) {
      if (error instanceof BulkheadRejectedError) this.stats.busy++;
      throw error;
    }
  }
}

export { BulkheadRejectedError };
