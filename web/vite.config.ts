// Build of the agent workspace. The output in dist/agent is committed and
// embedded into the Go binary (see embed.go), so the build must be
// reproducible: no timestamps, no absolute paths, content-hashed names only.
import { defineConfig } from "vite";
import { devMock } from "./devmock/plugin";

export default defineConfig(({ command }) => ({
  root: "agent",
  base: "/",
  publicDir: false,
  esbuild: { jsx: "automatic", jsxImportSource: "preact", legalComments: "none" },
  plugins: command === "serve" && process.env.PARLEY_API === undefined ? [devMock()] : [],
  server: {
    port: 5173,
    proxy: process.env.PARLEY_API
      ? {
          // The server refuses cross-origin writes (CSRF), so the proxy presents itself as the server's own origin.
          "/api": { target: process.env.PARLEY_API, ws: true, changeOrigin: true, headers: { origin: process.env.PARLEY_API } },
        }
      : undefined,
  },
  build: {
    outDir: "../dist/agent",
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: { output: { manualChunks: undefined } },
  },
}));
