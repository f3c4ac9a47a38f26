/** Doors for other tools: psql on the database, the database's URL. */
import type { Command } from 'commander';
import { maskUrl } from '../../config';
import { runPsql } from '../../services/ops/pg-tools';
import { databaseCommand, where, withServer, type TargetFlags } from '../database';
import { out } from '../output';

export const psqlCommand = (program: Command) =>
  databaseCommand(program, 'psql')
    .description(
      "psql on the database, embedded one included (the guide's psql $AE_DATABASE_URL); arguments after -- go to psql",
    )
    .argument('[psql_args...]', "e.g. -- -c '\\dt'  or  -- -f scripts/migrations/002_add_timezone.sql")
    .action((args: string[], f: TargetFlags) =>
      withServer(f, async (ctx) => {
        process.stderr.write(`psql on ${where(ctx)}\n`);
        // psql's own exit code is the command's.
        process.exitCode = await runPsql(ctx.target.url, args);
      }),
    );

export const urlCommand = (program: Command) =>
  databaseCommand(program, 'url')
    .description('print the database URL (password masked unless --show-password), for other tools')
    .option('--show-password', 'print the password too (the URL then is a secret)')
    .action((f: TargetFlags & { showPassword?: boolean }) =>
      withServer(f, async (ctx) => {
        out(f.showPassword ? ctx.target.url : maskUrl(ctx.target.url));
        // Started just for this command, the embedded server stops when it ends, and its port changes next time.
        if (ctx.target.embedded) {
          process.stderr.write(
            'The embedded server is not running (npm start runs it); this URL works only while it does, ' +
              'and its port may change. For a SQL prompt: npx ae-db psql\n',
          );
        }
      }),
    );
