// CPU time of processes (Linux /proc), so a bench on a shared machine can report the work it did
// per record or request next to wall-clock figures that other loads distort. PostgreSQL backends
// are found by the application_name the bench gives its coordinator's connections.
import { readFileSync } from 'node:fs';
import pg from 'pg';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process, in milliseconds; 0 when it is gone or /proc is unavailable. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU of the PostgreSQL backends serving connections named `applicationName`, by pid. */
export async function backendCpuMs(databaseUrl: string, applicationName: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    return new Map(rows.map((r) => [r.pid, processCpuMs(r.pid)]));
  } finally {
    await client.end();
  }
}

/** CPU spent between two backend snapshots (backends that appeared in between count from 0). */
export function backendDeltaMs(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** The URL with application_name set, so the server can tell these connections apart. */
export function withApplicationName(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('application_name', name);
  return url.toString();
}
