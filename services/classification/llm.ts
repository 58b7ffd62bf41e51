/**
 * An optional classification backend: an OpenAI-compatible chat-completions endpoint. It is
 * used only when configured, with a timeout and a circuit breaker, and falls back to the local
 * model whenever it fails, answers nonsense or its circuit is open.
 */
import { z } from "zod";
import type { CircuitBreakers } from "../../shared/breaker.ts";
import type { Logger } from "../../shared/log.ts";
import type { Classifier } from "./classify.ts";

/** Where the backend is and how long to wait for it. */
export interface LlmOptions {
  /** Base URL, e.g. `https://api.example.com/v1` (`/chat/completions` is appended). */
  url: string;
  model: string;
  key: string | undefined;
  timeoutMs: number;
  /** The categories the answer must be one of (read per call: the model can be reloaded). */
  labels: () => string[];
  breakers: CircuitBreakers;
  logger?: Logger;
  /** Most characters of a document sent to the backend; default 8000. */
  maxChars?: number;
}

const answer = z.object({ category: z.string(), confidence: z.number().min(0).max(1) });

function prompt(labels: string[]): string {
  return [
    "You classify business documents.",
    `Answer with one JSON object {"category": <one of ${
      JSON.stringify(labels)
    }>, "confidence": <0..1>} and nothing else.`,
  ].join(" ");
}

/** Parses the model's reply (tolerating a fenced code block) into a category and confidence. */
export function parseAnswer(
  content: string,
  labels: string[],
): { category: string; confidence: number } {
  const json = content.trim().replace(/^```(?:json)?\s*/i, "").replace(/```$/, "").trim();
  const parsed = answer.parse(JSON.parse(json));
  if (!labels.includes(parsed.category)) throw new Error(`unknown category "${parsed.category}"`);
  return parsed;
}

/** A classifier that asks the backend first and `fallback` when the backend cannot answer. */
export function llmClassifier(o: LlmOptions, fallback: Classifier): Classifier {
  const endpoint = `${o.url.replace(/\/$/, "")}/chat/completions`;
  const host = new URL(endpoint).host;
  return async (text) => {
    if (!o.breakers.allow(host)) return await fallback(text);
    const labels = o.labels();
    try {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
        },
        body: JSON.stringify({
          model: o.model,
          temperature: 0,
          messages: [{ role: "system", content: prompt(labels) }, {
            role: "user",
            content: text.slice(0, o.maxChars ?? 8000),
          }],
        }),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      const body = await res.json() as { choices?: { message?: { content?: string } }[] };
      const result = parseAnswer(body.choices?.[0]?.message?.content ?? "", labels);
      o.breakers.succeeded(host);
      return {
        category: result.category,
        confidence: result.confidence,
        scores: [{ category: result.category, probability: result.confidence }],
        model: { name: `llm:${o.model}`, version: "chat-completions" },
      };
    } catch (error) {
      o.breakers.failed(host);
      o.logger?.warn("LLM backend failed; using the local model", { error: String(error) });
      return await fallback(text);
    }
  };
}
