import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDatabase } from './database-url';
import {
  LOCKFILE_CONTENT,
  migrationFolderName,
  readMigrationsList,
  toMigrationName,
  writeMigration,
} from './migrations-dir';

describe('migration names', () => {
  it('turns the words of a sentence into a snake_case name', () => {
    expect(toMigrationName(['Add', 'customer segments!', '(v2)'])).toBe('add_customer_segments_v2');
    expect(toMigrationName([' ', '--'])).toBe('');
  });

  it('prefixes the UTC timestamp the way prisma migrate dev does', () => {
    expect(migrationFolderName(new Date('2026-11-23T08:07:09.999Z'), 'add_x')).toBe('20261123080709_add_x');
  });
});

describe('migrations folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cvp-migrations-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads folders in name order with their SQL, and a missing lockfile as null', async () => {
    for (const folder of ['20260102000000_second', '20260101000000_first']) {
      mkdirSync(join(dir, folder));
      writeFileSync(join(dir, folder, 'migration.sql'), `-- ${folder}\n`);
    }
    const list = await readMigrationsList(dir);
    expect(list.baseDir).toBe(dir);
    expect(list.lockfile).toEqual({ path: 'migration_lock.toml', content: null });
    expect(list.migrationDirectories).toEqual([
      {
        path: '20260101000000_first',
        migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: '-- 20260101000000_first\n' } },
      },
      {
        path: '20260102000000_second',
        migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: '-- 20260102000000_second\n' } },
      },
    ]);
  });

  it('reports a folder without migration.sql as an error for the engine, not a crash', async () => {
    mkdirSync(join(dir, '20260101000000_empty'));
    const [entry] = (await readMigrationsList(dir)).migrationDirectories;
    expect(entry?.migrationFile.content.tag).toBe('error');
  });

  it('treats a missing folder as no migrations', async () => {
    expect((await readMigrationsList(join(dir, 'absent'))).migrationDirectories).toEqual([]);
  });

  it('writes migration.sql and the postgresql lockfile, and never overwrites a folder', async () => {
    const folder = await writeMigration(dir, '20260101000000_first', 'CREATE TABLE t ();\n');
    expect(readFileSync(join(folder, 'migration.sql'), 'utf8')).toBe('CREATE TABLE t ();\n');
    expect(readFileSync(join(dir, 'migration_lock.toml'), 'utf8')).toBe(LOCKFILE_CONTENT);
    expect(LOCKFILE_CONTENT).toContain('provider = "postgresql"');
    await expect(writeMigration(dir, '20260101000000_first', '')).rejects.toThrow('already exists');
  });
});

describe('withDatabase', () => {
  it('swaps only the database of a URL', () => {
    expect(withDatabase('postgresql://cvp:s%40cret@127.0.0.1:5432/cvp?sslmode=disable', 'shadow_1')).toBe(
      'postgresql://cvp:s%40cret@127.0.0.1:5432/shadow_1?sslmode=disable',
    );
  });
});
