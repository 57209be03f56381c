/**
 * Half-open integer intervals [start, end) on one axis (epoch ms or minutes), kept as sorted,
 * disjoint lists. Every operation is a linear sweep or a binary search; nothing walks a
 * per-minute grid. "Normalized" below means sorted by start, non-empty, and with overlapping or
 * touching intervals merged: functions that take normalized lists say so and return them.
 */

export interface Interval {
  start: number;
  end: number;
}

/** Sorts, drops empty intervals and merges overlapping or touching ones. */
export function normalize(list: readonly Interval[]): Interval[] {
  const sorted = list.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) {
      if (i.end > last.end) last.end = i.end;
    } else {
      out.push({ start: i.start, end: i.end });
    }
  }
  return out;
}

/**
 * Normalizes, in place, a list already sorted by start: the list and its intervals are mutated
 * (for freshly built lists, where normalize's copies would be garbage). Returns the list.
 */
export function mergeSorted(list: Interval[]): Interval[] {
  let n = 0;
  for (let k = 0; k < list.length; k++) {
    const i = list[k];
    if (i.end <= i.start) continue;
    const last = n > 0 ? list[n - 1] : undefined;
    if (last && i.start <= last.end) {
      if (i.end > last.end) last.end = i.end;
    } else {
      list[n++] = i;
    }
  }
  list.length = n;
  return list;
}

/** a ∩ b for normalized lists. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i].start, b[j].start);
    const end = Math.min(a[i].end, b[j].end);
    if (end > start) out.push({ start, end });
    if (a[i].end < b[j].end) i++;
    else j++;
  }
  return out;
}

/** a \ b for normalized lists. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const x of a) {
    let cursor = x.start;
    while (j < b.length && b[j].end <= cursor) j++;
    let k = j;
    while (k < b.length && b[k].start < x.end) {
      if (b[k].start > cursor) out.push({ start: cursor, end: b[k].start });
      if (b[k].end > cursor) cursor = b[k].end;
      k++;
    }
    if (cursor < x.end) out.push({ start: cursor, end: x.end });
  }
  return out;
}

/** Index of the first interval of a normalized list whose end is after `t`. */
function firstEndingAfter(list: readonly Interval[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].end <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether [start, end) overlaps any interval of a normalized list. O(log n). */
export function overlapsAny(list: readonly Interval[], start: number, end: number): boolean {
  if (list.length === 0 || end <= start) return false;
  const i = firstEndingAfter(list, start);
  return i < list.length && list[i].start < end;
}

/** The interval of a normalized list that fully contains [start, end), if any. O(log n). */
export function containing(list: readonly Interval[], start: number, end: number): Interval | undefined {
  const i = firstEndingAfter(list, start);
  const x = list[i];
  return x && x.start <= start && x.end >= end ? x : undefined;
}
