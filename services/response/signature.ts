/** Standard Webhooks signatures: `v1,` + base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")). */
import { createHmac } from "node:crypto";

/** The headers that sign one webhook message. */
export function signatureHeaders(
  secret: string,
  id: string,
  timestamp: Date,
  body: string,
): Record<string, string> {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const seconds = Math.floor(timestamp.getTime() / 1000);
  const mac = createHmac("sha256", key).update(`${id}.${seconds}.${body}`).digest("base64");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(seconds),
    "webhook-signature": `v1,${mac}`,
  };
}
