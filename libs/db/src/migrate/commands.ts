// The four migration commands, each one schema-engine call on the lists `prisma migrate` would build.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SchemaFilter } from '@prisma/schema-engine-wasm';
import { openEngine, type SchemaEngine } from './engine';
import {
  LOCKFILE_CONTENT,
  migrationFolderName,
  readMigrationsList,
  toMigrationName,
  writeMigration,
} from './migrations-dir';

export interface MigrateOptions {
  databaseUrl: string;
  schemaPath?: string;
  migrationsDir?: string;
  log?: (line: string) => void;
  /** The engine's JSON log lines (tracing), for debugging. */
  onEngineLog?: (line: string) => void;
}

// libs/db/prisma, seen from the sources (libs/db/src/migrate) or from the build (dist/libs/db/src/migrate).
const PRISMA_DIR =
  [resolve(__dirname, '../../prisma'), resolve(__dirname, '../../../../../libs/db/prisma')].find((dir) =>
    existsSync(join(dir, 'schema.prisma')),
  ) ?? resolve(__dirname, '../../prisma');
export const DEFAULT_SCHEMA_PATH = join(PRISMA_DIR, 'schema.prisma');
export const DEFAULT_MIGRATIONS_DIR = join(PRISMA_DIR, 'migrations');

// prisma.config.ts declares no external tables or enums.
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

async function withEngine<T>(options: MigrateOptions, run: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const { engine, close } = await openEngine({
    databaseUrl: options.databaseUrl,
    schemaPath: options.schemaPath ?? DEFAULT_SCHEMA_PATH,
    onLog: options.onEngineLog,
  });
  try {
    return await run(engine);
  } finally {
    await close();
  }
}

/** `prisma migrate deploy`: applies the unapplied folders and records them in `_prisma_migrations`. */
export async function deploy(options: MigrateOptions): Promise<string[]> {
  const log = options.log ?? console.log;
  const migrationsList = await readMigrationsList(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  log(`${migrationsList.migrationDirectories.length} migrations found in ${migrationsList.baseDir}`);
  const { appliedMigrationNames } = await withEngine(options, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTER }),
  );
  if (appliedMigrationNames.length === 0) log('No pending migrations to apply.');
  for (const name of appliedMigrationNames) log(`Applied ${name}`);
  return appliedMigrationNames;
}

export interface MigrationStatus {
  upToDate: boolean;
  applied: string[];
  pending: string[];
  /** In the database's history but not in the folder (someone else's migration, or a deleted folder). */
  unknown: string[];
  failed: string[];
  edited: string[];
}

/** `prisma migrate status`, as data. */
export async function status(options: MigrateOptions): Promise<MigrationStatus> {
  const migrationsList = await readMigrationsList(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const diagnosis = await withEngine(options, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTER }),
  );
  const history = diagnosis.history;
  const pending = history && 'unappliedMigrationNames' in history ? history.unappliedMigrationNames : [];
  const unknown = history && 'unpersistedMigrationNames' in history ? history.unpersistedMigrationNames : [];
  const local = migrationsList.migrationDirectories.map((directory) => directory.path);
  return {
    upToDate: history === null && diagnosis.failedMigrationNames.length === 0,
    applied: local.filter((name) => !pending.includes(name) && !diagnosis.failedMigrationNames.includes(name)),
    pending,
    unknown,
    failed: diagnosis.failedMigrationNames,
    edited: diagnosis.editedMigrationNames,
  };
}

export class NoSchemaChangeError extends Error {
  constructor() {
    super('schema.prisma matches what the existing migrations build: no migration to create.');
  }
}

/**
 * `prisma migrate dev --create-only`, built as `prisma migrate diff --from-migrations --to-schema --script`: replays
 * the existing migrations on a throwaway shadow database, diffs that with schema.prisma and writes the SQL as the next
 * folder. (The wasm engine's `createMigration` cannot reach a shadow database; `diff` can.) The role in DATABASE_URL
 * must be allowed to CREATE DATABASE.
 */
export async function createMigration(options: MigrateOptions & { nameWords: string[]; now?: Date }): Promise<string> {
  const name = toMigrationName(options.nameWords);
  if (!name) throw new Error('Give the migration a name, as a sentence: new add customer segments');
  const migrationsDir = options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const schemaPath = options.schemaPath ?? DEFAULT_SCHEMA_PATH;
  const migrationsList = await readMigrationsList(migrationsDir);
  const schemaFile = { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
  const diff = await withEngine(options, (engine) =>
    engine.diff({
      // The engine picks the connector from the lockfile; the very first migration has none yet.
      from: {
        tag: 'migrations',
        ...migrationsList,
        lockfile: { ...migrationsList.lockfile, content: migrationsList.lockfile.content ?? LOCKFILE_CONTENT },
      },
      to: { tag: 'schemaDatamodel', files: [schemaFile] },
      script: true,
      exitCode: true, // 2 when there is a difference, 0 when none
      filters: NO_FILTER,
    }),
  );
  if (diff.exitCode === 0 || !diff.stdout) throw new NoSchemaChangeError();
  const folder = migrationFolderName(options.now ?? new Date(), name);
  const last = migrationsList.migrationDirectories.at(-1)?.path;
  if (last !== undefined && folder <= last) {
    throw new Error(`New migration ${folder} would sort before ${last}; check the clock.`);
  }
  return writeMigration(migrationsDir, folder, diff.stdout);
}

/** Drops everything in the database and re-applies every migration. Tests and local use only. */
export async function reset(options: MigrateOptions): Promise<string[]> {
  await withEngine(options, (engine) => engine.reset({ filter: NO_FILTER }));
  (options.log ?? console.log)('Database reset.');
  return deploy(options);
}
