/** Percentiles and the progress display the benchmark shares. */
import { SingleBar } from 'cli-progress';

export function percentile(values: readonly number[], p: number): number {
  if (!values.length) throw new Error('no values to take a percentile of');
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export function progress(label: string, total: number) {
  const bar = new SingleBar({
    format: ` ${label.padEnd(9)} [{bar}] {percentage}% | {value}/{total} {unit}`,
    noTTYOutput: true,
    notTTYSchedule: 5000,
  });
  return {
    start: (unit: string) => bar.start(total, 0, { unit }),
    update: (n: number) => bar.update(n),
    stop: () => bar.stop(),
  };
}

/** Resident memory of a process now (Linux: VmRSS), in MB. */
export async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
  if (!Number.isFinite(kb) || kb <= 0) throw new Error(`no VmRSS for process ${pid}`);
  return round(kb / 1024, 0);
}

/** Peak resident memory of a process (Linux: VmHWM), in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  if (!Number.isFinite(kb) || kb <= 0) throw new Error(`no VmHWM for process ${pid}`);
  return round(kb / 1024, 0);
}
