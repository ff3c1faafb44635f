/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all the build needs
// (and the plugin does not install on this toolchain). Fast refresh is the only loss.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    target: "es2022",
    // Source maps stay out of the image: the SPA is public, but its maps would
    // only help an attacker read the bundle.
    sourcemap: false,
    // A CSP with script-src 'self' forbids inline scripts; Vite emits none, and
    // keeping assets as files (never data: URLs) keeps img-src/font-src 'self'.
    assetsInlineLimit: 0,
    rollupOptions: {
      onwarn(warning, warn) {
        // TanStack's "use client" markers are for server components; a SPA has none.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        // zod ships /*@__PURE__*/ comments Rollup cannot place; harmless.
        if (warning.code === "INVALID_ANNOTATION" && warning.id?.includes("/zod/")) return;
        warn(warning);
      },
    },
  },
  server: {
    // Development: the SPA and the API share an origin through Vite's proxy,
    // exactly as Traefik does in production.
    proxy: { "/graphql": process.env.RAMPART_API ?? "http://127.0.0.1:8000" },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
