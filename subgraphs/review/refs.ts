/** Entities of other subgraphs as review knows them: an id (their fields come from their owners). */
export interface EntityRef {
  id: string;
}
