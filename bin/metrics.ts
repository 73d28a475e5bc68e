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
  const http = new Histogram({
    name: 'helpline_http_request_duration_seconds',
    help: 'HTTP request time by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const uploads = new Counter({
    name: 'helpline_uploads_total',
    help: 'Upload requests by outcome (accepted, rejected) and HTTP status',
    labelNames: ['outcome', 'status'] as const,
    registers: [registry],
  });
  const batch = new Histogram({
    name: 'helpline_load_batch_seconds',
    help: 'Time to validate and load one Kafka batch into DuckDB',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const records = new Counter({
    name: 'helpline_load_records_total',
    help: 'Kafka records loaded (or skipped as already loaded)',
    registers: [registry],
  });
  const jobs = new Counter({
    name: 'helpline_job_runs_total',
    help: 'Job run attempts by job and outcome',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
  });
  const jobSeconds = new Histogram({
    name: 'helpline_job_duration_seconds',
    help: 'Job run time by job',
    labelNames: ['job'] as const,
    buckets: [0.1, 1, 5, 15, 60, 300, 1200],
    registers: [registry],
  });
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
