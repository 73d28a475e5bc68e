/** What the stages report for `/metrics`; the Prometheus registry behind it is wired in bin/. */
export interface Metrics {
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  upload(outcome: 'accepted' | 'rejected', code: string): void;
  loadBatch(seconds: number, records: number): void;
  jobRun(job: string, outcome: string, seconds: number): void;
}

export const NO_METRICS: Metrics = {
  httpRequest: () => {},
  upload: () => {},
  loadBatch: () => {},
  jobRun: () => {},
};
