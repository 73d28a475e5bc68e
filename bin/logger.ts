/** Structured JSON logs: everything to a file under DATA_DIR/logs, warnings and worse to stderr too. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

export function createLogger(dataDir: string, level: string, consoleLevel = 'warn'): Logger {
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  return pino(
    { level, base: { service: 'helpline-analytics' }, redact: ['req.headers.authorization', '*.key', '*.apiKey'] },
    pino.multistream([
      {
        level: level as pino.Level,
        stream: pino.destination({ dest: join(dataDir, 'logs', 'app.log'), sync: false, mkdir: true }),
      },
      { level: consoleLevel as pino.Level, stream: pino.destination(2) },
    ]),
  );
}
