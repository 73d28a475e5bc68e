import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONF, renderReadersConf } from './local-nginx.js';

describe('the example nginx configuration', () => {
  it('gets any number of readers and a listen port, and keeps everything else', () => {
    const example = readFileSync(EXAMPLE_CONF, 'utf8');
    const out = renderReadersConf(example, 18080, [4001, 4002, 4003]);
    expect(out.match(/server 127\.0\.0\.1:\d+ max_fails=1 fail_timeout=5s;/g)).toEqual([
      'server 127.0.0.1:4001 max_fails=1 fail_timeout=5s;',
      'server 127.0.0.1:4002 max_fails=1 fail_timeout=5s;',
      'server 127.0.0.1:4003 max_fails=1 fail_timeout=5s;',
    ]);
    expect(out).toContain('listen 127.0.0.1:18080;');
    expect(out).not.toContain('3101');
    // Only reads pass: uploads and the admin API belong to the writer.
    expect(out).toMatch(/limit_except GET HEAD \{\s+deny all;/);
    const kept = (conf: string) => conf.split('\n').filter((line) => !/127\.0\.0\.1:\d+/.test(line));
    expect(kept(out)).toEqual(kept(example));
  });
});
