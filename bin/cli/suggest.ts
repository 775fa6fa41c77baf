function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}

/** Commands within edit distance 2 of a mistyped one (cobra's "did you mean" rule), closest first. */
export function suggestCommands(typed: string, known: readonly string[]): string[] {
  return [...new Set(known)]
    .map((k) => ({ k, d: distance(typed, k) }))
    .filter((x) => x.d <= 2 || x.k.startsWith(`${typed} `))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .map((x) => x.k)
    .slice(0, 3);
}
