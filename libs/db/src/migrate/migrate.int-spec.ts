/**
 * Against the real PostgreSQL of `npm run infra:up` (DATABASE_URL; its role needs CREATEDB): a throwaway database per
 * run, migrated through the CLI exactly as `npm run db:migrate` runs it, then seeded.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { createPrismaClient } from '../client';
import { DEFAULT_CAMPAIGN, seedDefaultCampaign } from '../seed';
import { withDatabase } from './database-url';

jest.setTimeout(120_000);

const SERVER_URL = process.env['DATABASE_URL'] ?? 'postgresql://cvp:cvp@127.0.0.1:5432/cvp';
const REPO_ROOT = resolve(__dirname, '../../../..');
const PRISMA_DIR = resolve(__dirname, '../../prisma');
const CLI = resolve(__dirname, 'cli.ts');
const TEST_DB = `cvp_db_int_${randomUUID().slice(0, 8)}`;
const TEST_URL = withDatabase(SERVER_URL, TEST_DB);

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', CLI, ...args],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: TEST_URL } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function sql<T>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

const shadowDatabases = async () =>
  (
    await sql<{ n: string }>(
      SERVER_URL,
      "SELECT count(*) AS n FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'",
    )
  )[0]?.n;

const migrationFolders = readdirSync(join(PRISMA_DIR, 'migrations'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

beforeAll(() => sql(SERVER_URL, `CREATE DATABASE "${TEST_DB}"`));
afterAll(() => sql(SERVER_URL, `DROP DATABASE IF EXISTS "${TEST_DB}" WITH (FORCE)`));

describe('db migrations on a fresh database', () => {
  it('deploy applies every folder once and records it as prisma migrate deploy does', async () => {
    expect(migrationFolders.length).toBeGreaterThan(0);

    const first = await cli('deploy');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    for (const folder of migrationFolders) expect(first.stdout).toContain(`Applied ${folder}`);

    const second = await cli('deploy');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No pending migrations to apply.');
    expect(second.stdout).not.toContain('Applied');

    const rows = await sql<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      logs: string | null;
      applied_steps_count: number;
    }>(TEST_URL, 'SELECT * FROM _prisma_migrations ORDER BY migration_name');
    expect(rows).toEqual(
      migrationFolders.map((folder) => ({
        id: expect.any(String),
        migration_name: folder,
        // Prisma's checksum: sha256 of migration.sql, so `prisma migrate status` sees no edited migration.
        checksum: createHash('sha256')
          .update(readFileSync(join(PRISMA_DIR, 'migrations', folder, 'migration.sql')))
          .digest('hex'),
        started_at: expect.any(Date),
        finished_at: expect.any(Date),
        rolled_back_at: null,
        logs: null,
        applied_steps_count: 1,
      })),
    );

    const tables = await sql<{ tablename: string }>(
      TEST_URL,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    expect(tables.map((table) => table.tablename)).toEqual([
      '_prisma_migrations',
      'api_keys',
      'campaigns',
      'customers',
      'decisions',
      'erased_customers',
      'model_versions',
      'review_readings',
      'training_events',
      'uplift_models',
    ]);

    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Database schema is up to date.');
  });

  it('seeding twice leaves one default campaign, as defined', async () => {
    const prisma = createPrismaClient(TEST_URL);
    try {
      const first = await seedDefaultCampaign(prisma);
      const second = await seedDefaultCampaign(prisma);
      expect(second.id).toBe(first.id);
      const campaigns = await prisma.campaign.findMany();
      expect(campaigns).toHaveLength(1);
      expect(campaigns[0]).toMatchObject({
        key: 'win-back-high-value',
        status: 'active',
        action: 'win_back',
        audience: DEFAULT_CAMPAIGN.audience,
        actionParams: { couponValue: 10, currency: 'USD' },
        frequencyCap: 3,
        cooldownSeconds: 604_800,
        controlShare: 0.1,
        startsAt: new Date('2000-01-01T00:00:00Z'),
      });
      expect(campaigns[0]?.budgetTotal.toString()).toBe('10000');
      expect(campaigns[0]?.budgetSpent.toString()).toBe('0');
    } finally {
      await prisma.$disconnect();
    }
  });

  it('new refuses when nothing changed, and writes the diff against a shadow replay when the schema did', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'cvp-db-new-'));
    try {
      cpSync(PRISMA_DIR, workDir, { recursive: true });
      const paths = ['--schema', join(workDir, 'schema.prisma'), '--migrations', join(workDir, 'migrations')];
      const shadowsBefore = await shadowDatabases();

      const unchanged = await cli('new', 'nothing', 'to', 'do', ...paths);
      expect(unchanged.code).toBe(3);
      expect(unchanged.stderr).toContain('no migration to create');

      const schema = readFileSync(join(workDir, 'schema.prisma'), 'utf8');
      writeFileSync(join(workDir, 'schema.prisma'), schema.replace(/(\n\s+tier\s+String\?)/, '$1\n  segment String?'));
      const created = await cli('new', 'Add', 'customer segment', ...paths);
      expect(created).toMatchObject({ code: 0, stderr: '' });
      const folder = readdirSync(join(workDir, 'migrations')).find((name) => name.endsWith('_add_customer_segment'));
      expect(folder).toMatch(/^\d{14}_add_customer_segment$/);
      expect(readFileSync(join(workDir, 'migrations', String(folder), 'migration.sql'), 'utf8')).toBe(
        '-- AlterTable\nALTER TABLE "customers" ADD COLUMN     "segment" TEXT;\n',
      );
      expect(await shadowDatabases()).toBe(shadowsBefore);

      const pending = await cli('status', ...paths);
      expect(pending.code).toBe(1);
      expect(pending.stdout).toContain(`pending  ${folder}`);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  it('deploy runs each migration as one script, like the native engine: `;` in literals works, a failure rolls back', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'cvp-db-script-'));
    const addMigration = (folder: string, sqlText: string) => {
      mkdirSync(join(workDir, 'migrations', folder));
      writeFileSync(join(workDir, 'migrations', folder, 'migration.sql'), sqlText);
    };
    try {
      cpSync(PRISMA_DIR, workDir, { recursive: true });
      const paths = ['--migrations', join(workDir, 'migrations')];
      addMigration(
        '29990101000000_add_a_function_and_a_default_with_semicolons',
        "ALTER TABLE customers ADD COLUMN note TEXT DEFAULT 'a;b';\n" +
          'CREATE FUNCTION cvp_one() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\n',
      );
      expect(await cli('deploy', ...paths)).toMatchObject({ code: 0, stderr: '' });
      expect(await sql(TEST_URL, 'SELECT cvp_one() AS one')).toEqual([{ one: 1 }]);

      addMigration('29990102000000_fail_halfway', 'CREATE TABLE half_done (id int);\nSELECT 1 / 0;\n');
      const failed = await cli('deploy', ...paths);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('division by zero');
      expect(await sql(TEST_URL, "SELECT to_regclass('half_done') AS half_done")).toEqual([{ half_done: null }]);
      const status = await cli('status', ...paths);
      expect(status.stdout).toContain('failed   29990102000000_fail_halfway');
      expect(status.stdout).not.toContain('applied  29990102000000_fail_halfway');
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  it('reset refuses without --force, and with it drops everything and re-applies every migration', async () => {
    expect((await cli('reset')).code).toBe(2);
    const reset = await cli('reset', '--force');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('Database reset.');
    expect(await sql(TEST_URL, 'SELECT id FROM campaigns')).toEqual([]);
    expect(await sql(TEST_URL, "SELECT to_regprocedure('cvp_one()') AS fn")).toEqual([{ fn: null }]);
    expect(await sql(TEST_URL, 'SELECT migration_name FROM _prisma_migrations')).toHaveLength(migrationFolders.length);
  });
});
