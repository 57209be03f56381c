// The console is one app under /console/ (its assets too); the API process serves dist/ at
// /console, /book/:branchId and /b/:token with an SPA fallback to index.html.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

export default defineConfig({
  base: '/console/',
  // Brotli and gzip copies of the hashed assets beside them (threshold 1 KB, the plugin's default):
  // the API serves them to browsers that take them (api/console/console.static.ts), made once here
  // at build time instead of on every request.
  plugins: [react(), compression({ algorithms: ['brotliCompress', 'gzip'], include: /\.(js|css|svg|json)$/ })],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    // `npm run dev` inside console/: the API on PORT (default 3000) answers /v1 and the config.
    proxy: { '/v1': `http://127.0.0.1:${process.env.API_PORT ?? 3000}`, '/console/config.json': `http://127.0.0.1:${process.env.API_PORT ?? 3000}` },
  },
});
