// Prisma 7 reads the connection URL from here, not from schema.prisma. Paths are relative to this file.
// `process.env` rather than `env()`: `prisma generate` (postinstall) must work with no DATABASE_URL set.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
    seed: 'node -r @swc-node/register libs/db/src/seed.ts',
  },
  datasource: { url: process.env['DATABASE_URL'] ?? '' },
});
