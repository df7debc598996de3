// "Did you mean" for unknown field names and values: the closest known one by edit distance,
// ignoring case (a field written `tagheader` is almost surely `tagHeader`).

function lower(c: i32): i32 {
  return <u32>(c - 0x41) < 26 ? c | 0x20 : c;
}

/** Levenshtein distance between `a` and `b`, case-insensitive; only computed for short pairs by the caller. */
function editDistance(a: string, b: string): i32 {
  const m = b.length;
  let previous = new StaticArray<i32>(m + 1);
  let current = new StaticArray<i32>(m + 1);
  for (let j = 0; j <= m; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    const ca = lower(a.charCodeAt(i - 1));
    for (let j = 1; j <= m; j++) {
      const substitution = previous[j - 1] + (ca == lower(b.charCodeAt(j - 1)) ? 0 : 1);
      current[j] = min(substitution, min(previous[j], current[j - 1]) + 1);
    }
    const swap = previous;
    previous = current;
    current = swap;
  }
  return previous[m];
}

/** The known name closest to `name`, when it is close enough to be a likely typo; otherwise null. */
export function closestName(name: string, known: string[]): string | null {
  let best: string | null = null;
  let bestDistance = i32.MAX_VALUE;
  for (let i = 0; i < known.length; i++) {
    const candidate = known[i];
    const allowed = max(1, candidate.length / 3);
    // Names further apart in length cannot be within `allowed` edits; skipping them also keeps
    // a long unknown name from costing more than its length.
    if (abs(name.length - candidate.length) > allowed) continue;
    const distance = editDistance(name, candidate);
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
