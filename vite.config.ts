import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The officers' console: plain TypeScript modules in src/ui, served by the API at /console/. */
export default defineConfig({
  root: fileURLToPath(new URL('./src/ui', import.meta.url)),
  base: '/console/',
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
  },
  logLevel: 'warn',
});
