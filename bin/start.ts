/**
 * `npm start`: the whole pipeline on this machine, with demo data, supervised (bin/supervisor.ts):
 * the local Kafka broker (unless KAFKA_BROKERS) and the app (bin/app.ts), each restarted if it
 * dies; Ctrl-C stops everything.
 */
import { supervise } from './supervisor.js';

await supervise();
