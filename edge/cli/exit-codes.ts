// edgectl's exit statuses: scripts and the technician's checklist rely on them, so they never change meaning.
export const EXIT = {
  /** Done; every check passed. */
  OK: 0,
  /** The operation failed or a check failed (doctor, drain timeout, link down, refused token). */
  FAILED: 1,
  /** Bad arguments or invalid input (an invalid config file, an unknown option). */
  USAGE: 2,
  /** The agent is not running: no admin socket, or nobody listening on it. */
  AGENT_DOWN: 3,
  /** The named camera, sensor or dead letter does not exist. */
  NOT_FOUND: 4,
  /** Not allowed to use the admin socket or the files (run with sudo or join the ioc-edge group). */
  PERMISSION: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit status:
  0  ok (every check passed)
  1  failed (an operation or a check failed)
  2  usage error or invalid input (bad option, invalid config file)
  3  the agent is not running (no admin socket)
  4  not found (no such camera, sensor or dead letter)
  5  permission denied (use sudo or join the ioc-edge group)`;
