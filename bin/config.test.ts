/** Configuration is checked at start, with messages that name the setting and what it should be. */
import { describe, expect, it } from 'vitest';
import { loadConfig, schedulesOf } from './config.js';

describe('configuration', () => {
  it('has working defaults: every job scheduled, in UTC', () => {
    const config = loadConfig({});
    expect(config.TIME_ZONE).toBe('UTC');
    expect(Object.keys(schedulesOf(config))).toEqual([
      'publish-release',
      'completeness',
      'reminders',
      'export',
      'checkpoint',
    ]);
  });

  it('takes schedules and a time zone, and "off" leaves a job unscheduled', () => {
    const config = loadConfig({ TIME_ZONE: 'Africa/Nairobi', JOB_REMINDERS: '0 9 * * 1-5', JOB_CHECKPOINT: 'off' });
    expect(config.TIME_ZONE).toBe('Africa/Nairobi');
    expect(schedulesOf(config)).toMatchObject({ reminders: '0 9 * * 1-5' });
    expect(schedulesOf(config)).not.toHaveProperty('checkpoint');
  });

  it.each([
    [{ TIME_ZONE: 'Mars/Olympus' }, /TIME_ZONE: an IANA time zone/],
    [{ JOB_PUBLISH_RELEASE: 'every month' }, /JOB_PUBLISH_RELEASE: a cron expression/],
    [{ JOB_REMINDERS: '61 * * * *' }, /JOB_REMINDERS: a cron expression/],
    [{ DEADLINE_DAY: '0' }, /DEADLINE_DAY/],
    [{ ADMIN_KEY: 'short' }, /ADMIN_KEY must be at least 24 characters/],
  ])('refuses %j with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
