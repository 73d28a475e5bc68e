/**
 * Response schemas of the public API. Like the request schemas in domain/, they are the one source
 * for the types, for the checks in tests and for the OpenAPI document.
 */
import { z } from 'zod';
import { CellSchema } from './submission.js';
import { SPLITS } from './trends.js';

export const TrendRowSchema = z
  .object({
    period: z.string().meta({ description: 'YYYY or YYYY-MM' }),
    value: z.number().int().nullable().meta({ description: 'Cases; null when withheld' }),
    suppressed: z.boolean(),
    helplinesReporting: z.number().int().min(0),
    margin95: z.number().int().min(0).optional().meta({ description: 'Noise releases: ± this many cases (95%)' }),
  })
  .catchall(z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .meta({ id: 'TrendRow', description: 'One period (and split value, under the split name, e.g. "region")' });

export const TrendsAnswerSchema = z
  .object({
    release: z.string().meta({ description: 'Release id (e.g. 2026-11), or "live" for the internal view' }),
    by: z.enum(['year', 'month']),
    split: z.enum(SPLITS).nullable(),
    protection: z.record(z.string(), z.unknown()).nullable(),
    citation: z.string().nullable(),
    coverage: z.object({ from: z.string(), to: z.string() }).nullable(),
    rows: z.array(TrendRowSchema),
  })
  .meta({ id: 'TrendsAnswer' });
export type TrendRow = z.infer<typeof TrendRowSchema>;
export type TrendsAnswer = z.infer<typeof TrendsAnswerSchema>;

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    instance: z.string(),
    requestId: z.string(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          rule: z.string().optional(),
          row: z.number().int().optional(),
          column: z.string().optional(),
          value: z.string().optional(),
          suggestions: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const ReceiptSchema = z.object({
  submissionId: z.uuid(),
  status: z.string(),
  version: z.number().int().nullable(),
  helplineId: z.string(),
  period: z.string(),
  cells: z.number().int(),
  cases: z.number().int(),
  submittedAt: z.string(),
  duplicate: z.boolean(),
  dryRun: z.boolean(),
  replaces: z
    .object({ submissionId: z.string(), version: z.number().int() })
    .nullable()
    .meta({ description: 'The version this upload replaces (a correction), if any' }),
  warnings: z
    .array(z.string())
    .meta({ description: "Accepted, but worth a second look (e.g. far above the helpline's usual month)" }),
});
export type Receipt = z.infer<typeof ReceiptSchema>;
/** The receipt as the upload API answers it: where to follow the submission's status. */
export const ReceiptAnswerSchema = ReceiptSchema.extend({ statusUrl: z.string() }).meta({ id: 'Receipt' });

/** The multi-month upload's answer: one receipt per month, each its own versioned submission. */
export const ManyMonthsReceiptSchema = z
  .object({
    helplineId: z.string(),
    months: z.number().int(),
    accepted: z.number().int().meta({ description: 'Months that became a new version' }),
    duplicates: z.number().int().meta({ description: 'Months identical to their newest version' }),
    cells: z.number().int(),
    dryRun: z.boolean(),
    submissions: z.array(ReceiptAnswerSchema),
  })
  .meta({ id: 'ManyMonthsReceipt' });
export type ManyMonthsReceipt = z.infer<typeof ManyMonthsReceiptSchema>;

export const SUBMISSION_STATUSES = ['accepted', 'loaded', 'replaced', 'unchanged', 'superseded', 'rejected'] as const;
export const SubmissionViewSchema = z
  .object({
    submissionId: z.string(),
    helplineId: z.string(),
    period: z.string(),
    version: z.number().int().nullable(),
    status: z.enum(SUBMISSION_STATUSES),
    reason: z.string().nullable(),
    submittedAt: z.string(),
    loadedAt: z.string().nullable(),
    cells: z.number().int().nullable(),
    total: z.number().int().nullable(),
  })
  .meta({ id: 'Submission' });
export type SubmissionView = z.infer<typeof SubmissionViewSchema>;
/** One submission with its cells, for the helpline that sent it. */
export const SubmissionDetailSchema = SubmissionViewSchema.extend({ cellValues: z.array(CellSchema) });
/** A submission as the warehouse keeps it: the view plus the content hash (never shown). */
export const SubmissionRecordSchema = SubmissionViewSchema.extend({ contentHash: z.string() });
export type SubmissionRecord = z.infer<typeof SubmissionRecordSchema>;

const Count = z.number().int().min(0);
const ReleaseModeSchema = z.enum(['suppression', 'noise']);

/** Noise mode: the mechanism, ε, its split over the tables and the budget (releases/privacy). */
export const NoisePrivacySchema = z.object({
  mechanism: z.string(),
  unit: z.string(),
  epsilon: z.string(),
  budgetPerMonth: z.string(),
  tables: z.array(z.object({ id: z.string(), epsilon: z.string(), sensitivity: z.number(), margin95: z.number() })),
  reconciled: z.boolean(),
  displayBelow: z.number().int(),
  inputHash: z.string(),
});
export type NoisePrivacy = z.infer<typeof NoisePrivacySchema>;

/** Published over months the other method had published, by the secretariat's decision. */
export const RegimeOverrideSchema = z
  .object({
    reason: z.string(),
    /** The other method's releases whose months this one overlaps. */
    overlaps: z.array(z.object({ id: z.string(), mode: ReleaseModeSchema, from: z.string(), to: z.string() })),
  })
  .meta({ description: 'published over months the other protection method had published, and why' });
export type RegimeOverride = z.infer<typeof RegimeOverrideSchema>;

/** Which insiders (helplines and their coalitions) the audit covers, and what it withheld for them. */
export const InsiderProtectionSchema = z.object({
  audited: z.array(z.string()),
  notAudited: z.array(z.string()),
  coalitions: z.object({ helplines: Count, pairs: Count, countries: Count }),
  withheld: z
    .object({ why: z.string(), cells: z.array(z.string()) })
    .meta({ description: "Cells withheld so that no audited insider learns another helpline's figures" }),
  coarsened: z
    .array(z.object({ unit: z.string(), cells: Count, why: z.string() }))
    .meta({ description: 'Breakdowns published only in coarser form' }),
});
export type InsiderProtection = z.infer<typeof InsiderProtectionSchema>;

export const ReleaseManifestSchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    mode: ReleaseModeSchema,
    privacy: NoisePrivacySchema.optional(),
    span: z.object({ from: z.string(), to: z.string() }),
    protection: z.union([
      z.object({
        method: z.string(),
        threshold: Count.meta({ description: 'Counts 1…threshold are withheld' }),
        sensitiveThreshold: Count.meta({ description: 'For sexual violence and the OCSEA rollup' }),
        protectionLevel: Count.meta({ description: "The attacker's range for a withheld cell is at least this wide" }),
      }),
      z.object({ method: z.string(), displayBelow: Count, epsilon: z.string() }),
    ]),
    tables: z.array(z.object({ id: z.string(), title: z.string() })),
    cells: Count,
    withheld: z.object({
      total: Count,
      primary: Count.meta({ description: 'Small counts, insider remainders and revision differences' }),
      carried: Count.meta({ description: 'Withheld in an earlier release, so withheld again' }),
      secondary: Count.meta({ description: 'Extra cells withheld so the others cannot be recovered' }),
      forInsiders: Count.meta({
        description: "Of those, withheld or coarsened so that no audited insider learns another helpline's",
      }),
      byReason: z.record(z.string(), Count),
    }),
    insiderProtection: InsiderProtectionSchema.optional().meta({
      description: 'Which attackers the audit covers, and what it withheld for insiders (suppression mode)',
    }),
    audit: z.object({
      passed: z.boolean(),
      rounds: Count,
      cellsAudited: Count,
      narrowestRange: z.number().nullable(),
    }),
    helplines: Count,
    previousRelease: z.string().nullable(),
    codeVersion: z.string(),
    checksum: z.string(),
    citation: z.string(),
    regimeOverride: RegimeOverrideSchema.optional(),
  })
  .meta({ id: 'ReleaseManifest' });
export type ReleaseManifest = z.infer<typeof ReleaseManifestSchema>;

export const CompletenessSchema = z
  .object({
    year: z.number().int(),
    deadlineDay: z.number().int(),
    timeZone: z.string(),
    helplines: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        country: z.string(),
        region: z.string(),
        months: z.array(
          z.object({
            period: z.string(),
            reported: z.boolean(),
            onTime: z.boolean().nullable(),
            arrivedAt: z.string().nullable(),
            dueBy: z.string(),
            daysLate: z.number().int().nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'Completeness' });
export type Completeness = z.infer<typeof CompletenessSchema>;

export const CompletenessQuerySchema = z.strictObject({
  year: z.coerce.number().int().min(2000).max(2100),
  format: z.enum(['json', 'csv']).optional(),
});

export const ReleasesAnswerSchema = z.object({ releases: z.array(ReleaseManifestSchema) });
/** A release's manifest and the files of its export (empty until the export job has run). */
export const ReleaseAnswerSchema = ReleaseManifestSchema.extend({
  exports: z.array(z.object({ file: z.string(), bytes: z.number().int(), sha256: z.string(), url: z.string() })),
});

export const PrivacyBudgetSchema = z
  .object({
    budgetPerMonth: z.string().meta({ description: 'ε each helpline-month may spend in all releases (decimal)' }),
    unit: z.string().meta({ description: 'What one unit of privacy protects' }),
    releases: z.array(
      z.object({
        release: z.string(),
        span: z.object({ from: z.string(), to: z.string() }),
        epsilon: z.string(),
        tables: z.record(z.string(), z.string()).meta({ description: 'ε spent per table' }),
      }),
    ),
  })
  .meta({ id: 'PrivacyBudget' });
export type PrivacyBudget = z.infer<typeof PrivacyBudgetSchema>;
