/** "Did you mean": the closest valid codes by edit distance (and by label words). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

export function suggest(value: string, codes: readonly string[], max = 3): string[] {
  const v = value.toLowerCase().trim();
  if (!v) return [];
  return codes
    .map((code) => {
      const c = code.toLowerCase();
      const tail = c.includes('.') ? c.slice(c.indexOf('.') + 1) : c;
      const score = Math.min(distance(v, c), distance(v, tail) + 1, c.includes(v) || v.includes(tail) ? 1 : 99);
      return { code, score };
    })
    .filter((s) => s.score <= Math.max(2, Math.floor(v.length / 3)))
    .sort((a, b) => a.score - b.score || a.code.localeCompare(b.code))
    .slice(0, max)
    .map((s) => s.code);
}
