/** Most calls one batched tRPC request may hold (tRPC's `maxBatchSize`; the refusal names it). */
export const MAX_BATCH_CALLS = 20;
