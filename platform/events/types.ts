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

/** Handles one delivered event; throwing means "not processed": the event is delivered again later. */
export type DeliveredEventHandler = (event: EventEnvelope) => Promise<void>;
