/**
 * `ae-db`: the database tool that replaces Alembic and the predecessor's init/reset
 * scripts. Every command is a thin door onto the service layer (one module per group under
 * commands/); failures print one clear sentence and what to check, and exit non-zero.
 */
import { Command } from 'commander';
import { explainFailure } from '../services/ops/diagnose';
import { copyCommand, backupCommand, restoreCommand } from './commands/backup';
import { importLegacyCommand, seedCommand, truncateCommand } from './commands/data';
import { doctorCommand, integrityCommand, statsCommand, statusCommand } from './commands/inspect';
import {
  checkCommand,
  downgradeCommand,
  dropCommand,
  freshCommand,
  historyCommand,
  initCommand,
  revisionCommand,
  stampCommand,
  upgradeCommand,
} from './commands/migrations';
import { psqlCommand, urlCommand } from './commands/tools';
import { EXIT } from './output';

/** Every command, in the order `ae-db --help` lists them. */
const COMMANDS: ((program: Command) => Command)[] = [
  statusCommand,
  upgradeCommand,
  downgradeCommand,
  historyCommand,
  revisionCommand,
  stampCommand,
  checkCommand,
  initCommand,
  freshCommand,
  dropCommand,
  seedCommand,
  backupCommand,
  restoreCommand,
  copyCommand,
  integrityCommand,
  statsCommand,
  doctorCommand,
  psqlCommand,
  urlCommand,
  importLegacyCommand,
  truncateCommand,
];

export function buildCli(): Command {
  const program = new Command('ae-db')
    .description('Database tool for the knee acoustic-emissions backend (migrations, seeding, inspection).')
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) })
    .exitOverride(); // inherited by the subcommands: run() decides the exit code
  for (const add of COMMANDS) add(program);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    const code = (e as { code?: unknown } | undefined)?.code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return EXIT.ok;
    if (typeof code === 'string' && code.startsWith('commander.')) return EXIT.usage; // commander printed it
    process.stderr.write(explainFailure(e) + '\n');
    return EXIT.failed;
  }
}

/** Process entry point (bin/ae-db.js, or `node dist/src/cli/index.js`). */
export function main(argv = process.argv): void {
  // `ae-db history | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
  void run(argv).then((code) => process.exit(code)); // run() turns every failure into an exit code
}

if (require.main === module) main();
