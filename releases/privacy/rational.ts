/**
 * Exact non-negative rationals over BigInt, for privacy parameters: ε = 0.1 is 1/10, never the
 * nearest double. Everything in this folder is integer arithmetic (a lint rule keeps it so).
 */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));

export function rational(num: bigint, den = 1n): Rational {
  if (den <= 0n) throw new RangeError('a rational needs a positive denominator');
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** "0.25" → 1/4, "2" → 2/1, "1/9" → 1/9; anything else is refused. */
export function parseRational(text: string): Rational {
  const fraction = /^(\d+)\/(\d+)$/.exec(text);
  if (fraction) return rational(BigInt(fraction[1] ?? '0'), BigInt(fraction[2] ?? '1'));
  const decimal = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!decimal) throw new RangeError(`"${text}" is not a non-negative decimal or fraction`);
  const digits = decimal[2] ?? '';
  return rational(BigInt(`${decimal[1]}${digits}`), 10n ** BigInt(digits.length));
}

export const add = (a: Rational, b: Rational) => rational(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Rational, b: Rational) => rational(a.num * b.den - b.num * a.den, a.den * b.den);
export const divInt = (a: Rational, k: bigint) => rational(a.num, a.den * k);
export const mulInt = (a: Rational, k: bigint) => rational(a.num * k, a.den);
export const compare = (a: Rational, b: Rational) => {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};
export const isZero = (a: Rational) => a.num === 0n;
export const format = (a: Rational) => (a.den === 1n ? `${a.num}` : `${a.num}/${a.den}`);
export const sum = (items: readonly Rational[]) => items.reduce(add, rational(0n));

/** A finite decimal when the denominator allows (1/4 → "0.25"), else the fraction. */
export function toDecimalString(a: Rational): string {
  let den = a.den;
  let places = 0;
  let scale = 1n;
  // Multiply by 10 until the denominator divides: at most as many times as it has factors 2 and 5.
  while (den % 2n === 0n || den % 5n === 0n) {
    if (den % 2n === 0n) den /= 2n;
    if (den % 5n === 0n) den /= 5n;
    places++;
    scale *= 10n;
  }
  if (den !== 1n) return format(a);
  const text = ((a.num * scale) / a.den).toString().padStart(places + 1, '0');
  if (places === 0) return text;
  const cut = text.length - places;
  return `${text.slice(0, cut)}.${text.slice(cut)}`.replace(/0+$/, '').replace(/\.$/, '');
}
