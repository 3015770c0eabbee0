import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The console's page: built into dist/apps/console/web, which the console service serves at /.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../../dist/apps/console/web', import.meta.url)),
    emptyOutDir: true,
    // One page for a handful of people: a single bundle is simpler than chunks, and its size is no concern here.
    chunkSizeWarningLimit: 1500,
  },
});
