// The live-room page is a static build (dist/) that roomcast serves at `/`, same origin as its
// WebSocket endpoint and demo routes. `npm run dev -w @roomcast/web` serves it from source with
// those paths proxied to a roomcast started with `npm start` (or ROOMCAST_URL).

import { defineConfig } from 'vite';

const target = process.env['ROOMCAST_URL'] ?? 'http://localhost:8000';

export default defineConfig({
  // Relative asset URLs: the build works wherever it is mounted.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: {
    proxy: {
      '/connection': { target, ws: true },
      '/demo': target,
      '/api': target,
    },
  },
});
