// Severity names (config, API) ↔ the proto enum.
import { SEVERITIES, type SeverityName } from './config/primitives.js';
import type { Severity__Output } from '../proto/generated/ioc/edgelink/v1/Severity.js';

export function severityToProto(severity: SeverityName): Severity__Output {
  return `SEVERITY_${severity.toUpperCase()}` as Severity__Output;
}

export function severityFromProto(severity: string | number | undefined): SeverityName | undefined {
  if (typeof severity === 'number') return SEVERITIES[severity - 1];
  const name = severity?.replace(/^SEVERITY_/, '').toLowerCase();
  return (SEVERITIES as readonly string[]).includes(name ?? '') ? (name as SeverityName) : undefined;
}

/** Ordering for filters such as "severity ≥ high". */
export function severityRank(severity: SeverityName): number {
  return SEVERITIES.indexOf(severity);
}
