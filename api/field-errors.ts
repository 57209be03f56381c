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
}

/** zod issues → `[{path, message}]`; unknown keys become one entry per key. */
export function issuesToFieldErrors(issues: readonly IssueLike[], root = 'body'): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
      for (const key of issue.keys) out.push({ path: base ? `${base}.${key}` : key, message: 'Unknown field' });
    } else {
      out.push({ path: base || root, message: issue.message });
    }
  }
  return out;
}
