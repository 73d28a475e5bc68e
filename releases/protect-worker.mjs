// A worker thread's entry: it loads the TypeScript worker through tsx, as the main thread does.
import { register } from 'tsx/esm/api';

register();
await import('./protect-worker.ts');
