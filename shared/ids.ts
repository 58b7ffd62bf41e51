/** Identifiers: deterministic UUIDs for derived events and replays. */
import { createHash } from "node:crypto";

const NAMESPACE = "dip.events";

/**
 * A UUID (version 5 layout, SHA-1 based) derived from `name`: the same name always gives the
 * same id, so a re-run of a stage produces the same output event id.
 */
export function deterministicUuid(name: string): string {
  const hash = createHash("sha1").update(NAMESPACE).update("\0").update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}
