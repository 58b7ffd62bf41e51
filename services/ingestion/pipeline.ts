/** Per-stage figures for `/pipeline` and `/metrics`: backlog, DLQ depth, rates, latency. */
import type { Redis } from "ioredis";
import type { Keys } from "../../shared/keys.ts";
import { groupStates } from "../../shared/lag.ts";

/** The consuming stages, in pipeline order. */
export const STAGES = [
  { group: "classification", input: "document.ingested", output: "document.classified" },
  { group: "routing", input: "document.classified", output: "routing.decided" },
  { group: "response", input: "routing.decided", output: "response.generated" },
] as const;

/** Figures of one stage. */
export interface StageStats {
  group: string;
  stream: string;
  length: number;
  /** Entries not yet delivered; null when Redis cannot tell (reported as unknown, never 0). */
  lag: number | null;
  pending: number;
  consumers: number;
  dlqDepth: number;
  processed: number;
  deadLettered: number;
  duplicates: number;
  /** Outputs in the last minute, per second. */
  ratePerSecond: number;
  /** Time from input event to hand-off over the last ≤1000 events, in ms. */
  latencyMs: { p50: number; p95: number; p99: number; samples: number } | null;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Reads the figures of every stage. */
export async function pipelineStats(
  redis: Redis,
  k: Keys,
): Promise<{ ingested: number; stages: StageStats[] }> {
  const since = `${Date.now() - 60_000}-0`;
  const stages = await Promise.all(STAGES.map(async (s) => {
    const stream = k.stream(s.input);
    const [length, groups, dlqDepth, stats, recent, samples] = await Promise.all([
      redis.xlen(stream),
      groupStates(redis, stream),
      redis.xlen(k.dlq(s.group)),
      redis.hgetall(k.stats(s.group)),
      redis.xrange(k.stream(s.output), since, "+", "COUNT", 100_000),
      redis.lrange(k.latency(s.group), 0, -1),
    ]);
    const g = groups.find((x) => x.group === s.group);
    const sorted = samples.map(Number).sort((a, b) => a - b);
    return {
      group: s.group,
      stream,
      length,
      lag: g ? g.lag : length,
      pending: g?.pending ?? 0,
      consumers: g?.consumers ?? 0,
      dlqDepth,
      processed: Number(stats.processed ?? 0),
      deadLettered: Number(stats.deadLettered ?? 0),
      duplicates: Number(stats.duplicates ?? 0),
      ratePerSecond: Math.round((recent.length / 60) * 100) / 100,
      latencyMs: sorted.length
        ? {
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
          samples: sorted.length,
        }
        : null,
    };
  }));
  const ingested = Number(await redis.hget(k.stats("ingestion"), "ingested") ?? 0);
  return { ingested, stages };
}

/** The figures in Prometheus text format. */
export function prometheus(p: { ingested: number; stages: StageStats[] }): string {
  const lines = [
    "# HELP dip_documents_ingested_total Documents accepted by the gateway.",
    "# TYPE dip_documents_ingested_total counter",
    `dip_documents_ingested_total ${p.ingested}`,
  ];
  const metric = (
    name: string,
    type: string,
    help: string,
    value: (s: StageStats) => number | null,
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of p.stages) lines.push(`${name}{group="${s.group}"} ${value(s) ?? "NaN"}`);
  };
  metric("dip_stream_length", "gauge", "Entries in the stage's input stream.", (s) => s.length);
  metric(
    "dip_group_lag",
    "gauge",
    "Entries not yet delivered to the group (NaN when Redis cannot tell).",
    (s) => s.lag,
  );
  metric(
    "dip_group_pending",
    "gauge",
    "Entries delivered but not yet acknowledged.",
    (s) => s.pending,
  );
  metric("dip_group_consumers", "gauge", "Consumers in the group.", (s) => s.consumers);
  metric("dip_dlq_depth", "gauge", "Entries in the group's dead-letter stream.", (s) => s.dlqDepth);
  metric("dip_processed_total", "counter", "Entries handed off successfully.", (s) => s.processed);
  metric("dip_dead_lettered_total", "counter", "Entries sent to the DLQ.", (s) => s.deadLettered);
  metric(
    "dip_duplicates_total",
    "counter",
    "Redeliveries acknowledged without a second output.",
    (s) => s.duplicates,
  );
  lines.push(
    "# HELP dip_stage_latency_ms Time from input event to hand-off.",
    "# TYPE dip_stage_latency_ms summary",
  );
  for (const s of p.stages) {
    if (!s.latencyMs) continue;
    for (const q of ["p50", "p95", "p99"] as const) {
      lines.push(
        `dip_stage_latency_ms{group="${s.group}",quantile="0.${q.slice(1)}"} ${s.latencyMs[q]}`,
      );
    }
  }
  return lines.join("\n") + "\n";
}
