/**
 * Languages: one ICU MessageFormat catalogue per language (`catalogues/<lang>.json`), a
 * `translator(lang)` that formats messages, labels, numbers and dates for it, and the negotiation
 * every stage uses (`?lang=`, then Accept-Language, then English). Dashboards use it today; a portal
 * stage can use the same translator and catalogues.
 *
 *   ?lang=fr ─┐
 *             ├─▶ resolveLanguage ─▶ translator(lang) ─▶ t(key, values) · label(kind, code) · number(n)
 *   Accept-Language ┘                                    (IntlMessageFormat, Intl.*)
 */
import { readFileSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';
import { z } from 'zod';
import { COUNTRIES } from '../geography.js';

export const LANGUAGES = ['en', 'fr', 'es', 'pt', 'ar'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'en';
export const LangSchema = z.enum(LANGUAGES).meta({
  description: 'language of labels and text: en, fr, es, pt or ar (default: Accept-Language, then en)',
});

/** Each language's own name, for a language switcher (never translated). */
export const LANGUAGE_NAMES: Record<Lang, string> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  pt: 'Português',
  ar: 'العربية',
};

const RTL: ReadonlySet<Lang> = new Set(['ar']);

/**
 * The locale each language formats with. Arabic keeps Latin digits (ICU's default for `ar` here,
 * and what the SVG axes, formatted by d3, show), so digits agree across text and chart.
 */
const LOCALES: Record<Lang, string> = { en: 'en', fr: 'fr', es: 'es', pt: 'pt-PT', ar: 'ar' };

export type LabelKind = 'region' | 'country' | 'harmGroup' | 'harm' | 'rollup' | 'ageBand' | 'gender' | 'channel';

type Catalogue = Readonly<Record<string, string>>;

export const isLang = (value: unknown): value is Lang => (LANGUAGES as readonly unknown[]).includes(value);

/**
 * The best of our languages for an Accept-Language header (RFC 9110 quality values; `fr-CA`
 * matches `fr`), or undefined when none fits (`*` or none of ours).
 */
export function negotiateLanguage(header: string | undefined): Lang | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r) => r.q > 0 && Number.isFinite(r.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((r) => r.base).find(isLang);
}

/** The language of a request: the asked one, then the header's best match, then English. */
export function resolveLanguage(
  asked: unknown,
  acceptLanguage: string | undefined,
): { lang: Lang; fromHeader: boolean } {
  if (isLang(asked)) return { lang: asked, fromHeader: false };
  const negotiated = negotiateLanguage(acceptLanguage);
  return { lang: negotiated ?? DEFAULT_LANG, fromHeader: true };
}

const catalogues = new Map<Lang, Catalogue>();
export function catalogue(lang: Lang): Catalogue {
  let found = catalogues.get(lang);
  if (!found) {
    found = JSON.parse(readFileSync(new URL(`./catalogues/${lang}.json`, import.meta.url), 'utf8')) as Catalogue;
    catalogues.set(lang, found);
  }
  return found;
}

export interface Translator {
  readonly lang: Lang;
  readonly locale: string;
  readonly dir: 'ltr' | 'rtl';
  /** A message with its values; a key missing from the catalogue is a bug and throws. */
  t(key: string, values?: Record<string, string | number>): string;
  label(kind: LabelKind, code: string): string;
  /** The lower-case name of a split ("region"), for running text. */
  dimension(split: string): string;
  /** The capitalised name of a split or column ("Region", "Cases"). */
  column(name: string): string;
  number(n: number): string;
  /** A signed whole percentage of a change ("+12%", "+12 %"). */
  change(ratio: number): string;
  /** A share as a whole percentage ("34%"). */
  percent(ratio: number): string;
  /** A period: a year stays as it is, a month "2023-04" becomes "Apr 2023" in the language. */
  period(period: string): string;
  /** "a, b and c" in the language. */
  list(items: readonly string[]): string;
  /** The comma that separates items in running text (Arabic has its own). */
  readonly comma: string;
  /** d3 number and time locale for Vega (axis and legend formats), from Intl. */
  vegaLocale(): { number: Record<string, unknown>; time: Record<string, unknown> };
}

const translators = new Map<Lang, Translator>();

export function translator(lang: Lang = DEFAULT_LANG): Translator {
  const seen = translators.get(lang);
  if (seen) return seen;
  const messages = catalogue(lang);
  const locale = LOCALES[lang];
  const compiled = new Map<string, IntlMessageFormat>();
  const countryNames = new Intl.DisplayNames([locale], { type: 'region' });
  const englishCountries = new Map(COUNTRIES.map((c) => [c.code, c.name]));
  const numbers = new Intl.NumberFormat(locale);
  const changes = new Intl.NumberFormat(locale, { style: 'percent', signDisplay: 'always', maximumFractionDigits: 0 });
  const percents = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  // pt-PT writes a short month with a year as "04/2023"; its long form reads as words.
  const months = new Intl.DateTimeFormat(locale, {
    month: lang === 'pt' ? 'long' : 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const lists = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });

  const t = (key: string, values?: Record<string, string | number>) => {
    let format = compiled.get(key);
    if (!format) {
      const source = messages[key];
      if (source === undefined) throw new Error(`The ${lang} catalogue has no message "${key}".`);
      // ignoreTag: "<5" in a message is text, not a rich-text tag.
      format = new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
      compiled.set(key, format);
    }
    return String(format.format(values));
  };
  const label = (kind: LabelKind, code: string) => {
    if (kind === 'country') {
      // English keeps the register's own names; other languages take CLDR's through Intl.
      if (lang === 'en') return englishCountries.get(code) ?? code;
      try {
        return countryNames.of(code) ?? code;
      } catch {
        return code;
      }
    }
    return messages[`label.${kind}.${code}`] ?? code;
  };
  const made: Translator = {
    lang,
    locale,
    dir: RTL.has(lang) ? 'rtl' : 'ltr',
    t,
    label,
    dimension: (split) => messages[`label.dimension.${split}`] ?? split,
    column: (name) => t(`column.${name}`),
    number: (n) => numbers.format(n),
    change: (ratio) => changes.format(Math.round(ratio * 100) / 100),
    percent: (ratio) => percents.format(ratio),
    period: (period) => (/^\d{4}-\d{2}$/.test(period) ? months.format(new Date(`${period}-15T00:00:00Z`)) : period),
    list: (items) => lists.format(items),
    comma: lang === 'ar' ? '، ' : ', ',
    vegaLocale: () => vegaLocale(locale),
  };
  translators.set(lang, made);
  return made;
}

function vegaLocale(locale: string) {
  const parts = new Intl.NumberFormat(locale).formatToParts(1234567.5);
  const group = parts.find((p) => p.type === 'group')?.value ?? ',';
  const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  const date = (options: Intl.DateTimeFormatOptions, i: number, month: boolean) =>
    new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(
      month ? new Date(Date.UTC(2023, i, 15)) : new Date(Date.UTC(2023, 0, 1 + i)),
    );
  // 1 January 2023 was a Sunday, as d3's day lists start.
  const days = (weekday: 'long' | 'short') => Array.from({ length: 7 }, (_, i) => date({ weekday }, i, false));
  const monthNames = (month: 'long' | 'short') => Array.from({ length: 12 }, (_, i) => date({ month }, i, true));
  return {
    number: { decimal, thousands: group, grouping: [3], currency: ['', ''], percent: locale === 'fr' ? ' %' : '%' },
    time: {
      dateTime: '%x %X',
      date: '%d/%m/%Y',
      time: '%H:%M:%S',
      periods: ['AM', 'PM'],
      days: days('long'),
      shortDays: days('short'),
      months: monthNames('long'),
      shortMonths: monthNames('short'),
    },
  };
}
