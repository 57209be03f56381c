// The console is one app under /console/ (its assets too); the API process serves dist/ at
// /console, /book/:branchId and /b/:token with an SPA fallback to index.html.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    // `npm run dev` inside console/: the API on PORT (default 3000) answers /v1 and the config.
    proxy: { '/v1': `http://127.0.0.1:${process.env.API_PORT ?? 3000}`, '/console/config.json': `http://127.0.0.1:${process.env.API_PORT ?? 3000}` },
  },
});
