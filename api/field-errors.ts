/**
 * Field-level validation errors (`[{path, message}]` of API.md's validation_error) and the mapping
 * from zod issues. A module of its own so both the error handler and the request validator can
 * use it without importing each other.
 */
export interface FieldError {
  path: string;
  message: string;
}

export interface IssueLike {
  code?: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  /** invalid_union: the issues of each alternative, paths relative to the union. */
  errors?: IssueLike[][];
}

/** zod issues → `[{path, message}]`; unknown keys become one entry per key. */
export function issuesToFieldErrors(issues: readonly IssueLike[], root = 'body'): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join('.');
    const branch = issue.code === 'invalid_union' ? closestAlternative(issue.errors) : undefined;
    if (branch) {
      out.push(...issuesToFieldErrors(branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] })), root));
    } else if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
      for (const key of issue.keys) out.push({ path: base ? `${base}.${key}` : key, message: 'Unknown field' });
    } else {
      out.push({ path: base || root, message: issue.message });
    }
  }
  return out;
}

/**
 * The alternative of a failed union the input came closest to (fewest problems, an unknown key
 * counting as one), so `{frequency: "weekly", byWeekday: ["XX"]}` is reported at
 * `recurrence.byWeekday.0` rather than as one opaque `recurrence`. A tie keeps the union's own
 * message: nothing says which alternative was meant.
 */
function closestAlternative(alternatives: IssueLike[][] | undefined): IssueLike[] | undefined {
  if (!alternatives?.length) return undefined;
  const weight = (issues: IssueLike[]) => issues.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? (i.keys?.length ?? 1) : 1), 0);
  const ranked = alternatives.map((issues) => ({ issues, weight: weight(issues) })).sort((a, b) => a.weight - b.weight);
  if (ranked.length > 1 && ranked[0].weight === ranked[1].weight) return undefined;
  return ranked[0].issues.length ? ranked[0].issues : undefined;
}
