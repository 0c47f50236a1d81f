// edgectl: the one tool a technician needs at the box. It talks to the running agent over its
// local admin socket (no network, works with the uplink down); config validation, provisioning,
// logs and doctor also work when the agent is not running.
import { CommanderError } from 'commander';
import { EXIT } from './exit-codes.js';
import { buildProgram } from './program.js';

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    process.stderr.write(`edgectl: ${(err as Error).message}\n`);
    process.exitCode = EXIT.FAILED;
  }
}

await main();
