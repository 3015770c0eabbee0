// Prisma's schema engine (the one behind `prisma migrate`), compiled to wasm and driven through the pg driver
// adapter. The CLI cannot migrate offline because it downloads a native schema-engine binary; this wasm build is the
// same engine, so migrations and the `_prisma_migrations` history stay exactly Prisma's.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
// The package is ESM; Node >= 20.19 can require() it. Its entry point imports the .wasm the bundler way, which Node
// refuses, so we load the JS glue and instantiate the wasm ourselves.
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { Client, Pool, type ClientConfig, type QueryResult } from 'pg';
import { withDatabase } from './database-url';

export type { SchemaEngine };

export interface EngineOptions {
  databaseUrl: string;
  schemaPath: string;
  /** Receives the engine's JSON log lines; by default they are dropped. */
  onLog?: (line: string) => void;
}

export interface OpenEngine {
  engine: SchemaEngine;
  close(): Promise<void>;
}

// tsconfig has no "dom" lib and @types/node 20 does not type WebAssembly; this is the part used here.
type WasmImports = Record<string, unknown>;
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, WasmImports>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

let wasmReady: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const wasmPath = join(
      dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')),
      'schema_engine_bg.wasm',
    );
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': withUnrefTimers(glue as unknown as WasmImports),
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports['__wbindgen_start'] as () => void)();
  })();
  return wasmReady;
}

/**
 * The engine arms timeouts (10 s, around its queries) that it never clears: the glue imports setTimeout but no
 * clearTimeout. Unreferenced, they no longer keep a finished command alive; pending work holds the loop through the
 * pg sockets and the promises we await.
 */
function withUnrefTimers(imports: WasmImports): WasmImports {
  const patched: WasmImports = { ...imports };
  for (const [name, value] of Object.entries(imports)) {
    if (name.startsWith('__wbg_setTimeout_') && typeof value === 'function') {
      patched[name] = (...args: unknown[]) => {
        const timer = (value as (...a: unknown[]) => unknown)(...args);
        (timer as NodeJS.Timeout | undefined)?.unref?.();
        return timer;
      };
    }
  }
  return patched;
}

export async function openEngine(options: EngineOptions): Promise<OpenEngine> {
  await loadWasm();
  const schema = await readFile(options.schemaPath, 'utf8');
  const factory = new ShadowDbPgFactory(options.databaseUrl);
  const engine = await glue.SchemaEngine.new(
    { datamodels: [[options.schemaPath, schema]] },
    (line: string) => options.onLog?.(line),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  return {
    engine,
    async close() {
      engine.free();
      await factory.disposeAll();
    },
  };
}

/**
 * The stock PrismaPg factory gets the shadow database wrong here: a connection string overrides the `database` it
 * sets (the shadow pool lands on the main database), and its disposer drops the database before closing its pool.
 * This one points a fresh pool at the shadow database by URL and drops it only after that pool has ended.
 * It also remembers every pool it opened so `disposeAll()` can end them and let the process exit.
 */
class ShadowDbPgFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';
  private readonly open = new Set<SqlDriverAdapter>();

  constructor(private readonly databaseUrl: string) {}

  async connect(): Promise<SqlDriverAdapter> {
    return this.track(await connectPg(this.databaseUrl), () => Promise.resolve());
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadowName = `prisma_migrate_shadow_db_${randomUUID()}`;
    await runAdminSql(this.databaseUrl, `CREATE DATABASE "${shadowName}"`);
    const adapter = await connectPg(withDatabase(this.databaseUrl, shadowName));
    return this.track(adapter, () => runAdminSql(this.databaseUrl, `DROP DATABASE IF EXISTS "${shadowName}"`));
  }

  async disposeAll(): Promise<void> {
    await Promise.all([...this.open].map((adapter) => adapter.dispose()));
  }

  /** Makes `dispose` idempotent (the engine disposes some adapters itself) and runs `afterDispose` once. */
  private track(adapter: SqlDriverAdapter, afterDispose: () => Promise<void>): SqlDriverAdapter {
    const endPool = adapter.dispose.bind(adapter);
    let disposing: Promise<void> | undefined;
    adapter.dispose = () => {
      this.open.delete(adapter);
      disposing ??= endPool().then(afterDispose);
      return disposing;
    };
    this.open.add(adapter);
    return adapter;
  }
}

async function connectPg(connectionString: string): Promise<SqlDriverAdapter> {
  const pool = new Pool({ connectionString, Client: CharAsTextClient });
  const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
  // adapter-pg runs a script by splitting it on every ";" and sending the pieces one by one: a `;` inside a string or
  // a function body breaks the migration, and a failure leaves it half applied. The native engine sends the script as
  // one simple query, which PostgreSQL runs as one implicit transaction; do the same.
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script);
    } catch (error) {
      (adapter as unknown as { onError(error: unknown): never }).onError(error); // the adapter's own error mapping
    }
  };
  return adapter;
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * adapter-pg 7.10 maps no column type to PostgreSQL's internal one-byte `"char"` (OID 18), and the engine's schema
 * describer reads such columns from pg_catalog (relkind, contype, ...): every diff that looks at a database fails
 * with "Column type 'char' could not be deserialized". pg already returns them as strings; call them text.
 */
class CharAsTextClient extends Client {
  constructor(config?: ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        return query(...args.slice(0, -1), (error: Error | null, result: QueryResult) =>
          callback(error, result && charAsText(result)),
        );
      }
      const pending = query(...args);
      return pending instanceof Promise ? pending.then(charAsText) : pending;
    }) as Client['query'];
  }
}

function charAsText(result: QueryResult): QueryResult {
  for (const field of result.fields ?? []) {
    if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
  }
  return result;
}

/** Runs one statement on its own connection (CREATE/DROP DATABASE cannot run inside a pooled transaction). */
async function runAdminSql(databaseUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
