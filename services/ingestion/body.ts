/** Reading a request body with a size limit, stopping as soon as it is exceeded. */
import { HttpProblem } from "../../shared/errors.ts";

function tooLarge(max: number): HttpProblem {
  return new HttpProblem(413, "Content too large", `The body exceeds the limit of ${max} bytes.`, {
    maxBytes: max,
  });
}

/** Reads at most `max` bytes of `request`'s body; a longer body gets 413 without being read whole. */
export async function readBody(request: Request, max: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}
