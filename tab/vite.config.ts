import { defineConfig } from 'vite';

// Where `vite` (dev) and `vite preview` forward /api calls; the built tab is served
// by the bot itself, so this only matters for local UI work.
const apiTarget = process.env.SWITCHBOARD_API_URL ?? 'http://localhost:3978';
const proxy = { '/api': { target: apiTarget, changeOrigin: false } };

export default defineConfig({
  // Absolute asset URLs: the server answers unknown non-API paths with index.html,
  // and relative asset URLs would break under such paths.
  base: '/',
  // Vite's own esbuild JSX transform; no React plugin needed (no fast refresh).
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    // The Fluent vendor chunk is ~515 kB (~140 kB gzipped) by nature; warn only beyond that.
    chunkSizeWarningLimit: 600,
    emptyOutDir: true,
    rollupOptions: {
      // Fluent's packages mark modules "use client" (for React Server Components); harmless in an SPA.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
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
