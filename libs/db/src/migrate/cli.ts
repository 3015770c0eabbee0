// Offline stand-in for `prisma migrate deploy|status|dev --create-only|reset` (see libs/db/README.md).
//   node -r @swc-node/register libs/db/src/migrate/cli.ts deploy | status | new <name words> | reset --force
// Options: --schema <schema.prisma>, --migrations <dir> (default: libs/db/prisma/...), --verbose (engine logs).
// DATABASE_URL is required.
// Exit codes: 0 done, 1 failed or (status) not up to date, 2 usage, 3 (new) no schema change.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { createMigration, deploy, NoSchemaChangeError, reset, status, type MigrateOptions } from './commands';

const USAGE =
  'usage: cli.ts deploy | status | new <migration name as words> | reset --force\n  [--schema FILE] [--migrations DIR] [--verbose]';

function databaseUrlFromEnv(): string {
  const databaseUrl = process.env['DATABASE_URL'];
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must be set to a postgresql:// URL');
  }
  return databaseUrl;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      schema: { type: 'string' },
      migrations: { type: 'string' },
      force: { type: 'boolean' },
      verbose: { type: 'boolean' },
    },
  });
  const [command, ...words] = positionals;
  const options = (): MigrateOptions => ({
    databaseUrl: databaseUrlFromEnv(),
    schemaPath: values.schema,
    migrationsDir: values.migrations,
    onEngineLog: values.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  switch (command) {
    case 'deploy':
      await deploy(options());
      return 0;
    case 'status': {
      const result = await status(options());
      for (const name of result.applied) console.log(`applied  ${name}`);
      for (const name of result.pending) console.log(`pending  ${name}`);
      for (const name of result.unknown)
        console.log(`unknown  ${name} (in the database, not in the migrations folder)`);
      for (const name of result.failed) console.log(`failed   ${name}`);
      for (const name of result.edited) console.log(`edited   ${name} (changed after it was applied)`);
      console.log(result.upToDate ? 'Database schema is up to date.' : 'Database is not up to date.');
      return result.upToDate ? 0 : 1;
    }
    case 'new': {
      const folder = await createMigration({ ...options(), nameWords: words });
      console.log(`Created ${relative(process.cwd(), folder)}/migration.sql (not applied yet: npm run db:migrate)`);
      return 0;
    }
    case 'reset':
      if (!values.force) {
        console.error('reset drops every table and row in DATABASE_URL; pass --force if you mean it.');
        return 2;
      }
      await reset(options());
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    // Engine errors are Errors whose message carries the engine's own text and span trace.
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = error instanceof NoSchemaChangeError ? 3 : 1;
  },
);
