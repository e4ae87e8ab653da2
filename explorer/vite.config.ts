// Vite build of the explorer: a static page (index.html + bundled modules + a module worker)
// with relative asset paths, so `pgffi explore` can serve explorer/dist from any URL prefix.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
});
