// Build of the chat widget: one self-contained IIFE, dist/widget.js, that
// the Go package embeds. The build must be reproducible (CI rebuilds and
// fails on a diff): fixed file name, no timestamps, no source maps.
import { defineConfig } from "vite";

export default defineConfig({
  publicDir: false,
  esbuild: { legalComments: "none" },
  build: {
    outDir: "../dist",
    emptyOutDir: true,
    target: "es2019",
    sourcemap: false,
    minify: "esbuild",
    reportCompressedSize: false,
    lib: {
      entry: "src/main.ts",
      formats: ["iife"],
      name: "ParleyWidget",
      fileName: () => "widget.js",
    },
  },
});
