/**
 * The public facts a read replica needs beside the release files, as one file the writer keeps
 * current in the exports folder (`public-state.json`):
 *
 *   register ──── registered helplines: id, name, country, region (public: shown by completeness
 *                 and counted in every source line)
 *   arrivals ──── when each helpline-month first arrived (public: /v1/completeness)
 *   policy ────── the deadline day and time zone completeness is judged by
 *   budget ────── the privacy-budget ledger of noise releases (public: /v1/privacy/budget)
 *
 * No count, no key, no unpublished figure: only what the public API already shows. Written to a
 * temporary file and renamed, so a reader never sees half of it; rewritten only when it changed.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PrivacyBudgetSchema } from '../domain/index.js';
import { completenessInputs, type Db, type DeadlinePolicy } from '../warehouse/index.js';
import { budgetReport } from './noise.js';

export const PUBLIC_STATE_FILE = 'public-state.json';

export const PublicStateSchema = z.strictObject({
  version: z.literal(1),
  helplines: z.array(z.strictObject({ id: z.string(), name: z.string(), country: z.string(), region: z.string() })),
  arrivals: z.array(z.strictObject({ helpline_id: z.string(), period: z.string(), first: z.string() })),
  policy: z.strictObject({ deadlineDay: z.number().int(), timeZone: z.string() }),
  budget: PrivacyBudgetSchema,
});
export type PublicState = z.infer<typeof PublicStateSchema>;

export async function publicState(db: Db, policy: DeadlinePolicy, budgetPerMonth: string): Promise<PublicState> {
  const { helplines, arrivals } = await completenessInputs(db);
  return {
    version: 1,
    helplines,
    arrivals,
    policy: { deadlineDay: policy.deadlineDay, timeZone: policy.timeZone },
    budget: await budgetReport(db, budgetPerMonth),
  };
}

/** Writes the state if it differs from the file's; true when it wrote. */
export async function writePublicState(exportsDir: string, state: PublicState): Promise<boolean> {
  const path = join(exportsDir, PUBLIC_STATE_FILE);
  const text = `${JSON.stringify(state)}\n`;
  if ((await readFile(path, 'utf8').catch(() => undefined)) === text) return false;
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
  return true;
}

/** The state in the folder, or undefined when the writer has not written one yet. */
export async function readPublicState(exportsDir: string): Promise<PublicState | undefined> {
  const text = await readFile(join(exportsDir, PUBLIC_STATE_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const parsed = PublicStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${PUBLIC_STATE_FILE} is not valid: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}
