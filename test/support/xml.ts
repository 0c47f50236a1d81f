// XML checks for the standard formats through libxml2's xmllint (Debian libxml2-utils): a real
// parser and XSD validator, not string matching.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CAP_XSD = fileURLToPath(new URL('../fixtures/cap/CAP-v1.2.xsd', import.meta.url));

/** '' when `xml` is valid against the schema, else xmllint's complaints. */
export function xsdErrors(xml: string, xsd: string = CAP_XSD): string {
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, '-'], { input: xml, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0 ? '' : r.stderr.trim() || `xmllint exited ${r.status}`;
}

/** The XPath 1.0 result as text (use local-name() for namespaced documents). Throws on malformed XML. */
export function xpath(xml: string, expr: string): string {
  try {
    return execFileSync('xmllint', ['--nonet', '--xpath', expr, '-'], { input: xml, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const e = err as { status?: number; stderr?: string };
    // Exit 10: the expression selected nothing (libxml2 ≥ 2.9.x prints "XPath set is empty").
    if (e.status === 10 || /XPath set is empty/.test(e.stderr ?? '')) return '';
    throw new Error(`xmllint: ${e.stderr ?? String(err)}`);
  }
}

/** Path of namespaced element names, e.g. ns('alert', 'info', 'urgency') → /*[local-name()='alert']/… */
export function ns(...names: string[]): string {
  return names.map((n) => `/*[local-name()='${n}']`).join('');
}
