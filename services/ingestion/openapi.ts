/** The gateway's OpenAPI 3.1 description, served at `/openapi.json`. */

const problem = { $ref: "#/components/responses/Problem" };
const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
const group = {
  name: "group",
  in: "path",
  required: true,
  schema: { type: "string", enum: ["classification", "routing", "response"] },
};

/** The document. */
export const openapi = {
  openapi: "3.1.0",
  info: {
    title: "dip — the Deno Intelligence Pipeline",
    version: "1.0.0",
    description:
      "Upload documents; follow them through classification, routing and response. Errors are application/problem+json (RFC 9457).",
  },
  components: {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer" },
      apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
    },
    responses: {
      Problem: {
        description: "An error (RFC 9457)",
        content: {
          "application/problem+json": {
            schema: {
              type: "object",
              properties: {
                type: { type: "string" },
                title: { type: "string" },
                status: { type: "integer" },
                detail: { type: "string" },
                instance: { type: "string" },
                errors: {
                  type: "array",
                  items: {
                    type: "object",
                    properties: { field: { type: "string" }, message: { type: "string" } },
                  },
                },
              },
            },
          },
        },
      },
    },
    schemas: {
      Envelope: {
        type: "object",
        additionalProperties: false,
        properties: {
          text: { type: "string" },
          contentBase64: { type: "string", contentEncoding: "base64" },
          contentType: { type: "string" },
          title: { type: "string", maxLength: 500 },
          metadata: { type: "object" },
          callbackUrl: { type: "string", format: "uri" },
        },
        description: "Exactly one of text or contentBase64.",
      },
      Accepted: {
        type: "object",
        properties: {
          documentId: { type: "string" },
          status: { const: "accepted" },
          links: { type: "object" },
        },
      },
    },
  },
  security: [{ bearer: [] }, { apiKey: [] }],
  paths: {
    "/documents": {
      post: {
        summary: "Upload a document",
        description:
          "Raw body with its Content-Type (text, Markdown, HTML, JSON with X-Dip-Raw, e-mail, PDF, DOCX; X-Dip-Title, X-Dip-Metadata, X-Dip-Callback-Url describe it), " +
          "multipart/form-data (file + envelope fields), the JSON envelope, or a CloudEvent (binary or structured mode). Honours Idempotency-Key.",
        parameters: [{
          name: "Idempotency-Key",
          in: "header",
          schema: { type: "string", maxLength: 255 },
        }],
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: { $ref: "#/components/schemas/Envelope" } },
            "multipart/form-data": {
              schema: {
                type: "object",
                properties: { file: { type: "string", format: "binary" } },
              },
            },
            "application/cloudevents+json": { schema: { type: "object" } },
            "*/*": { schema: { type: "string", format: "binary" } },
          },
        },
        responses: {
          202: {
            description: "Accepted",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Accepted" } } },
          },
          400: problem,
          401: problem,
          403: problem,
          409: problem,
          413: problem,
          415: problem,
          422: problem,
          429: problem,
          503: problem,
        },
      },
      get: {
        summary: "List documents, newest first",
        parameters: ["status", "category", "route", "limit", "cursor"].map((name) => ({
          name,
          in: "query",
          schema: { type: "string" },
        })),
        responses: { 200: { description: "A page of documents with a `next` link" }, 400: problem },
      },
    },
    "/documents/batch": {
      post: {
        summary: "Upload up to 1000 envelopes (NDJSON or a JSON array)",
        responses: {
          202: { description: "All accepted" },
          207: { description: "Some rejected; a result per item" },
          400: problem,
          413: problem,
        },
      },
    },
    "/documents/{id}": {
      get: {
        summary: "Status, timeline and results",
        parameters: [id],
        responses: { 200: { description: "The document" }, 404: problem },
      },
    },
    "/documents/{id}/text": {
      get: {
        summary: "Extracted text",
        parameters: [id],
        responses: { 200: { description: "text/plain" }, 404: problem },
      },
    },
    "/documents/{id}/content": {
      get: {
        summary: "The original body",
        parameters: [id],
        responses: { 200: { description: "The body, its content type" }, 404: problem },
      },
    },
    "/pipeline": {
      get: {
        summary:
          "Per stage: length, lag, pending, consumers, DLQ depth, rates, latency percentiles",
        responses: { 200: { description: "Figures" } },
      },
    },
    "/dlq/{group}": {
      get: {
        summary: "Dead letters of a group",
        parameters: [group],
        responses: { 200: { description: "A page of entries" }, 404: problem },
      },
    },
    "/dlq/{group}/replay": {
      post: {
        summary: "Redrive dead letters (all, or `ids`)",
        parameters: [group],
        responses: { 200: { description: "A result per entry" }, 400: problem, 404: problem },
      },
    },
    "/events": {
      get: {
        summary: "Live feed of pipeline events (Server-Sent Events); `?document=` filters",
        responses: { 200: { description: "text/event-stream" } },
      },
    },
    "/metrics": {
      get: { summary: "Prometheus metrics", responses: { 200: { description: "text/plain" } } },
    },
    "/healthz": {
      get: { summary: "Liveness", security: [], responses: { 200: { description: "ok" } } },
    },
    "/readyz": {
      get: {
        summary: "Readiness (Redis reachable)",
        security: [],
        responses: { 200: { description: "ready" }, 503: { description: "not ready" } },
      },
    },
  },
} as const;
