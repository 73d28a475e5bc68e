/**
 * Defence in depth against personal data in uploads. The contract has no free text, so any value
 * outside the code lists is rejected anyway; this decides whether the rejection may quote the
 * value back (never, if it looks personal) and says plainly that personal data is not accepted.
 */
import { AGE_BAND_CODES, CHANNEL_CODES, GENDER_CODES } from './dimensions.js';
import { REGION_CODES } from './geography.js';
import { HARM_FILTER_CODES, HARM_TYPE_CODES } from './taxonomy.js';

const CHECKS: readonly (readonly [RegExp, string])[] = [
  [/[^\s@]+@[^\s@]+\.[^\s@]{2,}/, 'an e-mail address'],
  [/\b(?:https?:\/\/|www\.)\S+/i, 'a web address'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}\b/, 'an IP address'],
  [/\b\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})\b/, 'a date'],
  [/\b\d{4}-\d{2}-\d{2}\b/, 'a date'],
  [/\b\d{1,2}[ -](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ -]\d{2,4}\b/i, 'a date'],
  [/(?:\+|\b00)\d[\d\s().-]{6,}\d/, 'a phone number'],
  [/\b\d[\d\s().-]{7,}\d\b/, 'a phone or identity number'],
  [/\d{6,}/, 'an identifying number'],
  [/^\s*\p{Lu}\p{Ll}+(?:[ '-]+\p{Lu}[\p{Ll}']+)+\s*$/u, 'a name'],
  [/\b(?:born|dob|birth|name|address|phone|e-?mail|tel)\b/i, 'personal details'],
];

/** What kind of personal data the value looks like, or undefined. */
export function personalDataKind(value: string): string | undefined {
  for (const [pattern, kind] of CHECKS) if (pattern.test(value)) return kind;
  return undefined;
}

/**
 * What an error may repeat back: a code of the contract (any of its lists, or a field or column
 * name) or a short number. Anything else — a name, a place, a phone number that happens to look
 * harmless — is described, never quoted, in answers and logs alike.
 */
const KNOWN: ReadonlySet<string> = new Set<string>([
  ...HARM_TYPE_CODES,
  ...HARM_FILTER_CODES,
  ...AGE_BAND_CODES,
  ...GENDER_CODES,
  ...CHANNEL_CODES,
  ...REGION_CODES,
  'period',
  'harm',
  'age_band',
  'ageBand',
  'gender',
  'channel',
  'count',
  'cells',
  'totals',
  'contacts',
]);
const SHORT_NUMBER = /^[+-]?\d{1,5}(?:\.\d{1,3})?$/;

export function quotable(value: string): boolean {
  return KNOWN.has(value) || SHORT_NUMBER.test(value);
}
