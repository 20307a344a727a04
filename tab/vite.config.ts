import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Where `vite` (dev) and `vite preview` forward /api calls; the built tab is served
// by the bot itself, so this only matters for local UI work.
const apiTarget = process.env.SWITCHBOARD_API_URL ?? 'http://localhost:3978';
const proxy = { '/api': { target: apiTarget, changeOrigin: false } };

export default defineConfig({
  // `@shared/...` is shared/src: the tab imports the rules it shares with the server
  // (e.g. tag limits) from their one source. Only browser-safe modules may be imported
  // this way (plain rules and zod schemas, nothing that reaches storage or Node).
  resolve: { alias: { '@shared': fileURLToPath(new URL('../shared/src', import.meta.url)) } },
  // Absolute asset URLs: the server answers unknown non-API paths with index.html,
  // and relative asset URLs would break under such paths.
  base: '/',
  // Vite's own esbuild JSX transform; no React plugin needed (no fast refresh).
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    // The Fluent vendor chunk (every component the pages use) is ~680 kB (~175 kB gzipped) by nature; warn only beyond that.
    chunkSizeWarningLimit: 750,
    emptyOutDir: true,
    rollupOptions: {
      // Fluent's packages mark modules "use client" (for React Server Components); harmless in an SPA.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        // zod (shared rules) carries comments Rollup drops with a notice; harmless.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('zod')) return;
        warn(warning);
      },
      output: {
        // Long-lived vendor chunks: app changes don't invalidate Fluent / teams-js caches.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (id.includes('@microsoft/teams-js')) return 'teams';
          if (id.includes('@fluentui') || id.includes('@griffel') || id.includes('tabster') || id.includes('@floating-ui')) return 'fluent';
          if (/node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(id)) return 'react';
          return 'vendor';
        },
      },
    },
  },
  server: { proxy },
  preview: { proxy },
});
