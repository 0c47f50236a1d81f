// Just enough XML writing for the standard feeds (CAP, Atom, Open311): escaped text and
// elements, nothing parsed. Element order is the caller's job (CAP's schema is a sequence).

/** Text or attribute content with &, <, >, " and ' escaped; control characters XML forbids dropped. */
export function xmlText(value: string): string {
  return (
    value
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removes the control characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

export type XmlChild = string | null | undefined | false;

/** `<name attrs>children</name>`; children are already-built XML strings (null/false skipped). */
export function el(name: string, children: XmlChild | XmlChild[], attrs: Record<string, string> = {}): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${xmlText(v)}"`)
    .join('');
  const inner = (Array.isArray(children) ? children : [children]).filter((c): c is string => typeof c === 'string').join('');
  return `<${name}${a}>${inner}</${name}>`;
}

/** An element holding escaped text; nothing at all when the value is null or undefined. */
export function textEl(name: string, value: string | number | null | undefined): string | null {
  return value === null || value === undefined ? null : `<${name}>${xmlText(String(value))}</${name}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
