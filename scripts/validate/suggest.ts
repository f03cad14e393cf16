/**
 * Returns the candidate closest to `word` by edit distance, ignoring case,
 * or undefined when none is a likely misspelling. A likely misspelling is
 * within a third of the word's length in edits (at least 1). It may also be
 * an abbreviation whose letters appear in order in the candidate, as
 * `memSize` in `memorySize`.
 */
export function closestMatch(
  word: string,
  candidates: Iterable<string>,
): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    const close =
      distance <= limit || (lower.length >= 3 && isSubsequence(lower, other));
    if (close && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function isSubsequence(short: string, long: string): boolean {
  let position = 0;
  for (const character of long) {
    if (character === short[position]) position += 1;
  }
  return position === short.length;
}

/** Levenshtein distance with one row of memory. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}
