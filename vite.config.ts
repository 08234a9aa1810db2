import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The staff console and the public lookup page: plain TypeScript modules in src/ui, served by the API at /console/ and /tra-cuu. */
export default defineConfig({
  root: fileURLToPath(new URL('./src/ui', import.meta.url)),
  base: '/console/',
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    // two pages: the staff console and the public lookup (the QR target on notices)
    rollupOptions: { input: { console: fileURLToPath(new URL('./src/ui/index.html', import.meta.url)), lookup: fileURLToPath(new URL('./src/ui/lookup.html', import.meta.url)) } },
  },
  logLevel: 'warn',
});
