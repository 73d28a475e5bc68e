/** Admin request bodies: registering helplines and approving their local code mappings. */
import { z } from 'zod';
import { AGE_BAND_CODES, CHANNEL_CODES, GENDER_CODES } from './dimensions.js';
import { COUNTRY_CODES, REGION_CODES } from './geography.js';
import { HelplineIdSchema, PeriodSchema } from './submission.js';
import { HARM_TYPE_CODES } from './taxonomy.js';

export const NewHelplineSchema = z.strictObject({
  id: HelplineIdSchema,
  name: z.string().trim().min(2).max(120),
  country: z.enum(COUNTRY_CODES),
  /** Derived from the country when omitted; must agree with it when given. */
  region: z.enum(REGION_CODES).optional(),
});
export type NewHelpline = z.infer<typeof NewHelplineSchema>;

const LocalCode = z.string().regex(/^[A-Za-z0-9_.+-]{1,40}$/, 'a local code is 1–40 letters, digits or _ . + -');

export const MappingsSchema = z.strictObject({
  harm: z.record(LocalCode, z.enum(HARM_TYPE_CODES)).optional(),
  ageBand: z.record(LocalCode, z.enum(AGE_BAND_CODES)).optional(),
  gender: z.record(LocalCode, z.enum(GENDER_CODES)).optional(),
  channel: z.record(LocalCode, z.enum(CHANNEL_CODES)).optional(),
});
export type Mappings = z.infer<typeof MappingsSchema>;

/** How long a rotated-out helpline key keeps working, so scheduled uploaders can switch over. */
export const KEY_GRACE_DAYS = 7;

/** An issued admin key lives this long unless asked otherwise, and never longer than a year. */
export const ADMIN_KEY_DAYS = { default: 90, max: 365 } as const;

/** The public part of a key (its kind and first characters): shown in lists, used to revoke. */
export const keyPrefix = (key: string) => key.slice(0, 11);
export const KeyPrefixSchema = z.string().regex(/^(hk|ak)_[A-Za-z0-9_-]{8}$/, 'a key prefix looks like hk_AbCd1234');

/** `POST /v1/admin/helplines/:id/keys`: a new key; the old ones keep working for the grace days, or stop now. */
export const RotateKeySchema = z.strictObject({
  revokePrevious: z
    .boolean()
    .default(false)
    .meta({ description: `true: earlier keys stop working now (a leaked key); otherwise in ${KEY_GRACE_DAYS} days` }),
});

/** `POST /v1/admin/keys/revoke`: one key stops working now, named by its prefix or by the key itself. */
export const RevokeKeySchema = z.union([
  z.strictObject({ prefix: KeyPrefixSchema }),
  z.strictObject({ key: z.string().min(10).max(200) }),
]);

/** `POST /v1/admin/keys`: a new admin key that expires. */
export const NewAdminKeySchema = z.strictObject({
  expiresInDays: z.number().int().min(1).max(ADMIN_KEY_DAYS.max).default(ADMIN_KEY_DAYS.default),
});

export const ApiKeyViewSchema = z.object({
  prefix: z.string().nullable().meta({ description: 'null for keys issued before prefixes were kept' }),
  role: z.enum(['admin', 'helpline']),
  helplineId: z.string().nullable(),
  source: z.enum(['config', 'issued', 'legacy']),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  active: z.boolean(),
});
export type ApiKeyView = z.infer<typeof ApiKeyViewSchema>;

/** `POST /v1/admin/releases`: publish now, optionally with other protection parameters. */
const epsilon = z
  .union([
    z.string().regex(/^(\d+(\.\d+)?|\d+\/\d+)$/, 'a decimal such as 0.5, or a fraction such as 1/9'),
    z.number().positive(),
  ])
  .transform(String);

export const ReleaseRequestSchema = z.strictObject({
  mode: z
    .enum(['suppression', 'noise'])
    .default('suppression')
    .meta({ description: 'suppression (withhold small counts) or noise (differential privacy on every cell)' }),
  epsilon: epsilon.optional().meta({ description: "noise: the release's total ε (default from the settings, 1)" }),
  split: z
    .record(z.string(), epsilon)
    .optional()
    .meta({ description: 'noise: ε per table id (T1…T6b), adding up to epsilon; default equal shares' }),
  reconcile: z
    .boolean()
    .optional()
    .meta({ description: 'noise: make countries add up to regions, regions to the world' }),
  threshold: z.number().int().min(1).max(50).optional(),
  sensitiveThreshold: z.number().int().min(1).max(100).optional(),
  protectionLevel: z.number().int().min(1).max(100).optional(),
  regimeOverride: z
    .strictObject({ reason: z.string().trim().min(10).max(500) })
    .optional()
    .meta({
      description:
        'publish over months already published by the other method (suppression vs noise); the reason is shown in the manifest',
    }),
});

/** `POST /v1/admin/helplines/:id/unlock`: allow a correction of one published month. */
export const UnlockSchema = z.strictObject({ period: PeriodSchema });
