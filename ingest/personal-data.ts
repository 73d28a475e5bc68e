/**
 * Defence in depth against personal data in uploads. The contract has no free text, so any value
 * outside the code lists is rejected anyway; this decides whether the rejection may quote the
 * value back (never, if it looks personal) and says plainly that personal data is not accepted.
 */
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

const SAFE_TO_QUOTE = /^[A-Za-z0-9_.+-]{1,40}$/;

/** A value may be quoted in an error only if it is short, code-like and not personal-looking. */
export function quotable(value: string): boolean {
  return SAFE_TO_QUOTE.test(value) && personalDataKind(value) === undefined;
}
