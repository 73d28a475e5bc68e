/**
 * Structured JSON logs: everything to a file under DATA_DIR/logs; the terminal gets only what a
 * person must act on (errors). Libraries' chatter (KafkaJS) goes to the file alone.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

const OPTIONS = {
  base: { service: 'helpline-analytics' },
  redact: ['req.headers.authorization', '*.key', '*.apiKey'],
};

export function logFile(dataDir: string): string {
  return join(dataDir, 'logs', 'app.log');
}

export interface Loggers {
  /** The file, and errors to stderr. */
  readonly logger: Logger;
  /** The file only. */
  readonly quiet: Logger;
  /** Writes what is buffered (before an exit). */
  flush(): void;
}

export function createLoggers(dataDir: string, level: string, consoleLevel = 'error'): Loggers {
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const file = pino.destination({ dest: logFile(dataDir), sync: false, mkdir: true });
  return {
    logger: pino(
      { level, ...OPTIONS },
      pino.multistream([
        { level: level as pino.Level, stream: file },
        { level: consoleLevel as pino.Level, stream: pino.destination(2) },
      ]),
    ),
    quiet: pino({ level, ...OPTIONS }, file),
    flush() {
      try {
        file.flushSync();
      } catch {
        // Not open yet, or closed: nothing to write.
      }
    },
  };
}

export function createLogger(dataDir: string, level: string, consoleLevel = 'warn'): Logger {
  return createLoggers(dataDir, level, consoleLevel).logger;
}
