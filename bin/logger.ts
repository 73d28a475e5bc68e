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
  /** Writes what is buffered (before an exit); waits for the file to be open first. */
  flush(): Promise<void>;
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
    async flush() {
      // An exit right after the start: the file may still be opening (its flush would throw).
      if ((file as unknown as { fd: number }).fd < 0) await new Promise((ok) => file.once('ready', ok));
      try {
        file.flushSync();
      } catch {
        // Closed already: nothing to write.
      }
    },
  };
}

export function createLogger(dataDir: string, level: string, consoleLevel = 'warn'): Logger {
  return createLoggers(dataDir, level, consoleLevel).logger;
}
