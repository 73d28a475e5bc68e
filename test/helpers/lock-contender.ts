// One of two processes taking the same job lock in turns: each records when it held it, so the test
// can check no two holds overlap. Usage: node --import tsx lock-contender.ts <lock> <log>
import { appendFileSync } from 'node:fs';
import { acquireLock } from '../../jobs/index.js';

const [lock = '', log = ''] = process.argv.slice(2);
let held = 0;
const deadline = Date.now() + 30_000;
while (held < 3 && Date.now() < deadline) {
  const result = await acquireLock(lock);
  if (result.acquired) {
    const start = performance.timeOrigin + performance.now();
    await new Promise((r) => setTimeout(r, 60));
    const end = performance.timeOrigin + performance.now();
    appendFileSync(log, `${process.pid} ${start} ${end}\n`);
    await result.release();
    held++;
  }
  await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
}
