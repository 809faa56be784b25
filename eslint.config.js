// Lint for the whole monorepo: typescript-eslint's recommended rules everywhere, plus the
// type-aware promise rules for the TypeScript sources (typed through the project service, which
// finds each file's nearest tsconfig.json). Generated code, builds and vendored data are ignored.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      "**/.turbo/**",
      "**/src/generated/**",
      "**/next-env.d.ts",
      ".data/**",
      "packages/db/engine/**",
      "packages/db/.scratch/**",
      "bench/results/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: {
        process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", URLSearchParams: "readonly",
        setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly",
        setImmediate: "readonly", fetch: "readonly", Headers: "readonly", Request: "readonly", Response: "readonly",
        structuredClone: "readonly", globalThis: "readonly", window: "readonly", document: "readonly", navigator: "readonly",
        localStorage: "readonly", sessionStorage: "readonly", crypto: "readonly", TextEncoder: "readonly", TextDecoder: "readonly",
        AbortController: "readonly", BroadcastChannel: "readonly", queueMicrotask: "readonly", NodeJS: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": "off",
    },
  },
  {
    // A forgotten await lets a rejection escape as an unhandledRejection (or a request answer
    // before its write lands); an async callback where void is expected drops its errors.
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // React's event props accept a promise-returning handler; its errors are handled inside.
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    // Pages, components and their helpers reach data only through @gatehouse/api's services and
    // callers (docs: README "Architecture"); the front server (apps/web/server) may start the
    // database and run migrations.
    files: ["apps/web/app/**", "apps/web/components/**", "apps/web/lib/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@gatehouse/db", allowTypeImports: true, message: "Pages read data through @gatehouse/api (a service or the tRPC caller)." },
            { name: "ioredis", message: "Pages never talk to Redis: use a service in @gatehouse/api." },
          ],
        },
      ],
    },
  },
);
