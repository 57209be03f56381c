/**
 * A minimal HTML template: `html` is a tagged template whose every interpolated value is escaped
 * (escape-html: & < > " '), unless it is itself the result of `html` (already safe markup) or an
 * array of such. So customer, staff and branch names, reasons and links can never inject markup;
 * only the literal template text is markup.
 */
import escapeHtml from 'escape-html';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | null | undefined | false | Interpolation[];

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

/** Plain text (with line breaks) as escaped HTML, one `<br>` per line break. */
export function lines(text: string): SafeHtml {
  return new SafeHtml(text.split('\n').map((line) => escapeHtml(line)).join('<br>'));
}
