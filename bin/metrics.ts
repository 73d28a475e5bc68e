/** The Prometheus registry behind `/metrics` (prom-client): what the stages report, plus the process. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../domain/index.js';

export interface MetricsOptions {
  /** Consumer lag per partition (end offset minus the offset the warehouse has stored). */
  readonly lag: () => Promise<readonly { partition: number; lag: number }[]>;
  /** DuckDB's own account of its memory by tag (duckdb_memory()): where the resident memory goes. */
  readonly duckdbMemory?: () => Promise<readonly { tag: string; bytes: number }[]>;
}

export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'helpline_' });
  // Every metric is registered here only and named helpline_<name>.
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: `helpline_${name}`, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []) =>
    new Histogram<L>({ name: `helpline_${name}`, help, labelNames, buckets, registers: [registry] });

  const http = histogram(
    'http_request_duration_seconds',
    'HTTP request time by route, method and status',
    [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    ['route', 'method', 'status'],
  );
  const uploads = counter('uploads_total', 'Upload requests by outcome (accepted, rejected) and HTTP status', [
    'outcome',
    'status',
  ]);
  const batch = histogram(
    'load_batch_seconds',
    'Time to validate and load one Kafka batch into DuckDB',
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  const records = counter('load_records_total', 'Kafka records loaded (or skipped as already loaded)');
  const jobs = counter('job_runs_total', 'Job run attempts by job and outcome', ['job', 'outcome']);
  const jobSeconds = histogram('job_duration_seconds', 'Job run time by job', [0.1, 1, 5, 15, 60, 300, 1200], ['job']);
  new Gauge({
    name: 'helpline_consumer_lag',
    help: 'Records on the submissions topic not yet in the warehouse, per partition',
    labelNames: ['partition'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { partition, lag } of await options.lag().catch(() => []))
        this.set({ partition: String(partition) }, lag);
    },
  });

  const duckdbMemory = options.duckdbMemory;
  if (duckdbMemory)
    new Gauge({
      name: 'helpline_duckdb_memory_bytes',
      help: "DuckDB's memory by tag (buffer pool use, duckdb_memory())",
      labelNames: ['tag'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const { tag, bytes } of await duckdbMemory().catch(() => [])) this.set({ tag }, bytes);
      },
    });

  const metrics: Metrics = {
    httpRequest: (route, method, status, seconds) => http.observe({ route, method, status: String(status) }, seconds),
    upload: (outcome, status) => uploads.inc({ outcome, status }),
    loadBatch: (seconds, n) => {
      batch.observe(seconds);
      records.inc(n);
    },
    jobRun: (job, outcome, seconds) => {
      jobs.inc({ job, outcome });
      jobSeconds.observe({ job }, seconds);
    },
  };
  return {
    metrics,
    text: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
