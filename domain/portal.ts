/** The portal's people and the bodies of its forms: every form post is parsed with one of these. */
import { z } from 'zod';
import { COUNTRY_CODES } from './geography.js';
import { HelplineIdSchema, PeriodSchema } from './submission.js';

export const ROLES = ['officer', 'helpline_admin', 'secretariat'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Record<Role, string> = {
  officer: 'Helpline data officer',
  helpline_admin: 'Helpline admin',
  secretariat: 'Secretariat',
};

export const UsernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9._-]{2,39}$/,
    'a username is 3–40 letters, digits or . _ - (starting with a letter or digit)',
  );

/** Long enough to resist guessing; no composition rules (NIST SP 800-63B). */
export const PasswordSchema = z
  .string()
  .min(12, 'choose a password of at least 12 characters')
  .max(200, 'a password is at most 200 characters');

/** A person: a helpline's officer or admin, or the secretariat (no helpline). */
export const NewUserSchema = z
  .strictObject({
    username: UsernameSchema,
    name: z.string().trim().min(2, 'give the person’s name').max(120),
    role: z.enum(ROLES),
    helplineId: HelplineIdSchema.optional(),
  })
  .refine((u) => (u.role === 'secretariat') === (u.helplineId === undefined), {
    path: ['helplineId'],
    message: 'a helpline officer or admin belongs to one helpline; the secretariat to none',
  });
export type NewUser = z.infer<typeof NewUserSchema>;

/** Hidden in every state-changing form. */
const csrf = z.string().min(16).max(200);

export const SignInFormSchema = z.strictObject({
  _csrf: csrf,
  username: z.string().trim().toLowerCase().min(1, 'enter your username').max(40, 'enter your username'),
  password: z.string().min(1, 'enter your password').max(200, 'enter your password'),
});

export const SetPasswordFormSchema = z
  .strictObject({ _csrf: csrf, password: PasswordSchema, confirm: z.string().max(200) })
  .refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'the two passwords are not the same' });

export const CsrfOnlySchema = z.strictObject({ _csrf: csrf });

export const ConfirmUploadSchema = z.strictObject({ _csrf: csrf, upload: z.uuid() });

export const UnlockRequestFormSchema = z.strictObject({
  _csrf: csrf,
  period: PeriodSchema,
  reason: z.string().trim().min(10, 'say in a sentence what needs correcting (10 characters or more)').max(1000),
});

export const UnlockDecisionFormSchema = z.strictObject({
  _csrf: csrf,
  request: z.uuid(),
  decision: z.enum(['approve', 'decline']),
  note: z.string().trim().max(1000).default(''),
});

export const PublishFormSchema = z.strictObject({
  _csrf: csrf,
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});

export const NewUserFormSchema = z.strictObject({
  _csrf: csrf,
  username: UsernameSchema,
  name: z.string().trim().min(2, 'give the person’s name').max(120),
  role: z.enum(ROLES),
  helplineId: z.string().trim().max(40).default(''),
});

export const DisableUserFormSchema = z.strictObject({ _csrf: csrf, username: UsernameSchema });

export const NewHelplineFormSchema = z.strictObject({
  _csrf: csrf,
  id: HelplineIdSchema,
  name: z.string().trim().min(2, 'give the helpline’s name').max(120),
  country: z.enum(COUNTRY_CODES, 'choose the country (ISO code such as KE)'),
});

/**
 * The hand-entry grid: one text field per harm type × gender, named `c.<harm>.<gender>`; the
 * counts themselves go through the submission's own validation.
 */
export const GridFormSchema = z
  .object({
    _csrf: csrf,
    period: PeriodSchema,
    action: z.enum(['save', 'check']),
  })
  .catchall(z.string().max(20));
