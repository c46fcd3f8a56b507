import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// Everything bundled into dist/ (no CDN at run time); the API serves it at "/".
// `npm run dev` proxies the API to a running `make serve`.
export default defineConfig({
  plugins: [preact()],
  build: { outDir: "dist", emptyOutDir: true, reportCompressedSize: true, sourcemap: false },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
});
