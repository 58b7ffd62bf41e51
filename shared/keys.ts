/** Redis key names, in one place. Every key starts with the configurable prefix (default `dip`). */

/** The key builder for one prefix. */
export interface Keys {
  /** The stream that carries one event type suffix, e.g. `dip:stream:document.ingested`. */
  stream(typeSuffix: string): string;
  /** The dead-letter stream of a consumer group, e.g. `dip:dlq:classification`. */
  dlq(group: string): string;
  /** The marker that says a group has committed the outcome of one input event. */
  processed(group: string, eventId: string): string;
  /** The group's retry schedule: a sorted set of stream entry ids scored by due time (ms). */
  retries(group: string): string;
  /** The group's failure notes: a hash of stream entry id → first/last failure and reason. */
  failures(group: string): string;
  /** The document's read model (hash). */
  doc(documentId: string): string;
  /** The document's timeline of stage transitions (list of JSON entries). */
  timeline(documentId: string): string;
  /** The index of documents by ingestion time (sorted set, score = ms). */
  docIndex(): string;
  /** A stored blob of a document: `content` (original body) or `text` (extracted text). */
  blob(documentId: string, part: "content" | "text"): string;
  /** The stored HTTP answer for one Idempotency-Key of one API key. */
  httpIdempotency(apiKeyId: string, idempotencyKey: string): string;
  /** A team's work queue stream, e.g. `dip:queue:billing`. */
  queue(team: string): string;
  /** Counters a group keeps about itself (hash). */
  stats(group: string): string;
  /** Recent end-to-end latency samples of a group, in ms (list, newest first, at most 1000). */
  latency(group: string): string;
  /** The stored response of a document. */
  response(documentId: string): string;
  /** A token bucket for rate limiting one API key. */
  rateLimit(apiKeyId: string): string;
}

/** Builds the key names for `prefix`. */
export function keys(prefix = "dip"): Keys {
  return {
    stream: (suffix) => `${prefix}:stream:${suffix}`,
    dlq: (group) => `${prefix}:dlq:${group}`,
    processed: (group, eventId) => `${prefix}:processed:${group}:${eventId}`,
    retries: (group) => `${prefix}:retry:${group}`,
    failures: (group) => `${prefix}:failures:${group}`,
    doc: (id) => `${prefix}:doc:${id}`,
    timeline: (id) => `${prefix}:doc:${id}:timeline`,
    docIndex: () => `${prefix}:docs`,
    blob: (id, part) => `${prefix}:blob:${id}:${part}`,
    httpIdempotency: (apiKeyId, key) => `${prefix}:idem:http:${apiKeyId}:${key}`,
    queue: (team) => `${prefix}:queue:${team}`,
    stats: (group) => `${prefix}:stats:${group}`,
    latency: (group) => `${prefix}:latency:${group}`,
    response: (id) => `${prefix}:blob:${id}:response`,
    rateLimit: (apiKeyId) => `${prefix}:ratelimit:${apiKeyId}`,
  };
}
