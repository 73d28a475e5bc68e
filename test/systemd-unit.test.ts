/**
 * The production unit (infra/systemd/): systemd supervises the app where KAFKA_BROKERS points at a
 * cluster. Checked as systemd reads it (systemd-analyze, where installed), and for what it must say:
 * restart policy, a start limit, a clean stop, no demo data, and the hardening options.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const UNIT = join(import.meta.dirname, '..', 'infra', 'systemd', 'helpline-analytics.service');

function settings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('[')) continue;
    const at = line.indexOf('=');
    const key = line.slice(0, at);
    out.set(key, [...(out.get(key) ?? []), line.slice(at + 1)]);
  }
  return out;
}

describe('the systemd unit', () => {
  const unit = settings(readFileSync(UNIT, 'utf8'));
  const one = (key: string) => unit.get(key)?.at(-1);

  it('is valid for systemd', () => {
    const analyze = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    if (analyze.error) return; // no systemd on this machine: the checks below still apply
    expect(`${analyze.stdout}${analyze.stderr}`.trim()).toBe('');
    expect(analyze.status).toBe(0);
  });

  it('runs the app, restarts it when it dies, and gives up after repeated fast failures', () => {
    const exec = one('ExecStart') ?? '';
    expect(exec).toMatch(/ --import tsx bin\/app\.ts$/);
    expect(existsSync(join(import.meta.dirname, '..', 'bin', 'app.ts'))).toBe(true);
    expect(one('Restart')).toBe('always');
    expect(Number(one('RestartSec'))).toBeGreaterThan(0);
    expect(Number(one('StartLimitBurst'))).toBeGreaterThan(1);
    expect(Number(one('StartLimitIntervalSec'))).toBeGreaterThan(0);
    expect(one('KillSignal')).toBe('SIGTERM');
    // The app gives itself 60 s to stop; systemd must wait longer before SIGKILL.
    expect(Number(one('TimeoutStopSec'))).toBeGreaterThan(60);
    expect(unit.get('Environment')).toContain('SEED_DEMO=false');
  });

  it('is hardened', () => {
    for (const [key, value] of Object.entries({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectControlGroups: 'yes',
      RestrictNamespaces: 'yes',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      CapabilityBoundingSet: '',
    })) {
      expect([key, one(key)]).toEqual([key, value]);
    }
    expect(one('ReadWritePaths')).toBe('/var/lib/helpline-analytics');
    expect(unit.get('Environment')).toContain('DATA_DIR=/var/lib/helpline-analytics');
    // V8's JIT needs writable executable memory: this one option would stop node.
    expect(unit.has('MemoryDenyWriteExecute')).toBe(false);
  });
});
