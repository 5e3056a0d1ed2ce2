/** What travels on the bus: one state change, as written to the owner's outbox. */
export interface EventEnvelope<TPayload = unknown> {
  /** uuid, unique across every subgraph: the idempotency key of consumers. */
  id: string;
  /** Stream name, `shop.<owner>.<aggregate>` (e.g. `shop.order.order`). */
  stream: string;
  /** Event type within the stream, past tense (e.g. `OrderPaid`). */
  type: string;
  /** Id of the aggregate that changed (e.g. the order id); also the pub/sub routing key for clients. */
  aggregateId: string;
  payload: TPayload;
  /** ISO time the change was committed with. */
  occurredAt: string;
}

/** How often this event has been handed to its consumer group, this delivery included (1 the first time). */
export interface EventDelivery {
  deliveries: number;
}

/**
 * Handles one delivered event; throwing means "not processed": the event is delivered again later (with backoff).
 * Resolving acknowledges it, which is also how a consumer that dead-lettered it (consumer.ts) stops its redelivery.
 */
export type DeliveredEventHandler = (event: EventEnvelope, delivery: EventDelivery) => Promise<void>;
