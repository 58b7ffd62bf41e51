/** The classification stage: reads a document's text through its claim check and classifies it. */
import { PermanentError } from "../../shared/errors.ts";
import { createEvent, type DipEvent } from "../../shared/events.ts";
import type { Handler } from "../../shared/middleware/types.ts";
import { type Model, predict, type Prediction } from "./model.ts";

/** Something that classifies text (the local model, or a remote backend with fallback). */
export type Classifier = (
  text: string,
) => Promise<Prediction & { model: { name: string; version: string } }>;

/** A classifier backed by the local model that `current()` returns (swapped on reload). */
export function localClassifier(current: () => Model): Classifier {
  return (text) => {
    const model = current();
    return Promise.resolve({
      ...predict(model, text),
      model: { name: model.name, version: model.version },
    });
  };
}

/** The stage handler: text via `loadText(textRef)`, then `classify`. */
export function classificationHandler(
  classify: Classifier,
  loadText: (ref: string) => Promise<string | null>,
  source = "dip/classification",
): Handler {
  return async (event: DipEvent) => {
    if (event.type !== "com.dip.document.ingested") {
      throw new PermanentError(`classification consumes document.ingested, got ${event.type}`);
    }
    const text = await loadText(event.data.textRef);
    if (text === null) {
      throw new PermanentError(
        `text of document ${event.subject} is missing (${event.data.textRef})`,
      );
    }
    const title = event.data.title ? `${event.data.title}\n` : "";
    const result = await classify(title + text);
    return [createEvent({
      type: "com.dip.document.classified",
      source,
      cause: event,
      data: {
        documentId: event.subject,
        category: result.category,
        confidence: Math.round(result.confidence * 1e4) / 1e4,
        scores: result.scores,
        model: result.model,
      },
    })];
  };
}
