/** The routing stage: gathers a classified document's facts and applies the rules in force. */
import { PermanentError } from "../../shared/errors.ts";
import { createEvent } from "../../shared/events.ts";
import type { Handler } from "../../shared/middleware/types.ts";
import { decide, type Facts, needsText, type RuleSet } from "./rules.ts";

/** Where routing reads what it needs about a document. */
export interface DocumentSource {
  /** The ingestion facts (metadata, source, title, text reference). */
  ingested(
    documentId: string,
  ): Promise<
    {
      metadata: Record<string, unknown>;
      source: string;
      title?: string | undefined;
      textRef: string;
    } | undefined
  >;
  text(ref: string): Promise<string | null>;
}

/** The stage handler, with the rule set that `current()` returns (swapped on reload). */
export function routingHandler(
  current: () => RuleSet,
  docs: DocumentSource,
  source = "dip/routing",
): Handler {
  return async (event) => {
    if (event.type !== "com.dip.document.classified") {
      throw new PermanentError(`routing consumes document.classified, got ${event.type}`);
    }
    const rules = current();
    const doc = await docs.ingested(event.subject);
    if (!doc) throw new PermanentError(`document ${event.subject} has no ingestion record`);
    const facts: Facts = {
      category: event.data.category,
      confidence: event.data.confidence,
      metadata: doc.metadata,
      source: doc.source,
      title: doc.title,
    };
    if (needsText(rules)) facts.text = (await docs.text(doc.textRef)) ?? "";
    const decision = decide(rules, facts);
    return [createEvent({
      type: "com.dip.routing.decided",
      source,
      cause: event,
      data: { documentId: event.subject, ...decision },
    })];
  };
}
