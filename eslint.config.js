// Lint for the whole monorepo: typescript-eslint's recommended rules everywhere, plus the
// type-aware promise rules for the TypeScript sources (typed through the project service, which
// finds each file's nearest tsconfig.json), the process.env fence, the data-layer fence and the
// browser-safety of @gatehouse/contract. Generated code, builds and vendored data are ignored.
import { builtinModules } from "node:module";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The data layer, reached only by @gatehouse/api's services, policies and its start-up code
 * (see the fence at the end).
 */
const dataLayer = [
  { regex: "^@gatehouse/db(/.*)?$", message: "The database is reached through @gatehouse/api (a service, or bootstrap/dev for start-up)." },
  { regex: "^(@prisma/.*|prisma|pg)$", message: "The database is reached through @gatehouse/api's services." },
  { regex: "^(ioredis|ioredis-mock|@upstash/.*)$", message: "Redis is reached only by @gatehouse/api's services and policies." },
  { regex: "(^|/)lib/(redis|redis-script|upstash-adapter)(\\.ts)?$", message: "Redis is reached only by the API's services and policies." },
];

/** Reports `import("…")` of a dataLayer module (a static import is no-restricted-imports' job). */
const noDynamicDataImports = {
  meta: { type: "problem", schema: [] },
  create(context) {
    return {
      ImportExpression(node) {
        const source = node.source.type === "Literal" ? node.source.value : undefined;
        const match = typeof source === "string" ? dataLayer.find(({ regex }) => new RegExp(regex, "u").test(source)) : undefined;
        if (match) context.report({ node, message: `'${source}' import is restricted from being used. ${match.message}` });
      },
    };
  },
};

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
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        URLSearchParams: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        fetch: "readonly",
        Headers: "readonly",
        Request: "readonly",
        Response: "readonly",
        structuredClone: "readonly",
        globalThis: "readonly",
        window: "readonly",
        document: "readonly",
        navigator: "readonly",
        localStorage: "readonly",
        sessionStorage: "readonly",
        crypto: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        AbortController: "readonly",
        BroadcastChannel: "readonly",
        queueMicrotask: "readonly",
        NodeJS: "readonly",
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
    // process.env is read only where the environment is turned into settings (issue 16): the
    // zod-validated config of @gatehouse/api, and the places below, each with its reason.
    // Everything else takes its settings from getConfig() or from its caller.
    files: ["**/*.{ts,tsx,js,mjs,cjs}"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "Read settings from @gatehouse/api's config (packages/api/src/config.ts), not process.env.",
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']",
          message: "Read settings from @gatehouse/api's config (packages/api/src/config.ts), not process.env.",
        },
      ],
    },
  },
  {
    files: [
      "packages/api/src/config.ts", // the validated config itself, and the logger/hasher settings read before it
      "packages/api/src/cli/**", // command-line tools: their own variables (STAFF_PASSWORD, …), DATABASE_URL checks
      "packages/db/src/index.ts", // the Prisma client: DATABASE_URL and the pool's DATABASE_* settings (db has no dependency on api)
      "packages/db/src/migrate.ts", // GATEHOUSE_MIGRATIONS_DIR, for migrating from a bundle outside the repo
      "packages/db/src/cli/**", // migrate / with-database CLIs
      "packages/db/src/testing.ts", // test tooling: TEST_DATABASE_URL, CI
      "packages/db/prisma.config.ts", // Prisma's own config file, read by the prisma CLI
      "apps/web/next.config.ts", // build-time config: APP_URL's host for allowed dev origins
      "apps/web/proxy.ts", // Next runs the proxy in its own bundle, apart from the API's config: APP_URL and NODE_ENV for the CSP
      "apps/web/server/**", // the front server's entry and the dev defaults it fills into the environment
      "apps/web/scripts/**",
      "packages/*/scripts/**", // build scripts
      "**/test/**",
      "**/vitest.config.ts",
      "tooling/testing/**", // tests and test tooling set up their own environment
      "bench/**", // the benchmark drives servers through their environment
    ],
    rules: { "no-restricted-properties": "off", "no-restricted-syntax": "off" },
  },
  {
    // The test kit (@gatehouse/api/testing) starts servers and plants sessions: tests only.
    files: ["**/src/**", "apps/web/app/**", "apps/web/components/**", "apps/web/lib/**", "apps/web/server/**"],
    ignores: ["**/*.test.ts", "**/*.test.tsx"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^@gatehouse/api/testing", message: "The test kit is for tests only." }] }],
    },
  },
  {
    // @gatehouse/contract runs in browsers too (the BackOffice's forms): no Node module or global.
    files: ["packages/contract/src/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: builtinModules.map((name) => ({ name, message: "@gatehouse/contract is browser-safe: no Node modules." })),
          patterns: [{ regex: "^node:", message: "@gatehouse/contract is browser-safe: no Node modules." }],
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "Buffer", message: "Browser-safe: count bytes with TextEncoder." },
        { name: "process", message: "Browser-safe: no process (and settings come from the API's config)." },
        { name: "require", message: "Browser-safe: ES imports only." },
      ],
    },
  },
  {
    // Routers and the whole BackOffice app (pages, components, next-auth, the front server, its
    // scripts) reach data only through @gatehouse/api's services (README "Architecture"): no
    // value import of the database package, Prisma, pg, a Redis client or the API's own Redis
    // modules. Type-only imports are fine: they carry no calls. The tests of apps/web prepare
    // their own databases (create, migrate, seed a tenant), as a test outside the API must.
    files: ["packages/api/src/router/**", "apps/web/**"],
    ignores: ["apps/web/test/**"],
    plugins: { gatehouse: { rules: { "no-dynamic-data-imports": noDynamicDataImports } } },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@gatehouse/api", importNames: ["getRedis"], message: "Redis is reached only by the API's services and policies." },
          ],
          patterns: [
            ...dataLayer.map(({ regex, message }) => ({ regex, message, allowTypeImports: true })),
            { regex: "^@gatehouse/api/testing", message: "The test kit is for tests only." },
          ],
        },
      ],
      // no-restricted-imports does not see import(): the same fence for dynamic imports.
      "gatehouse/no-dynamic-data-imports": "error",
    },
  },
  {
    // Next compiles its code into bundles of its own, so a value import of the API there would be
    // a second copy of it in the process (its own config, pools and caches): Next's code takes the
    // front server's API from @gatehouse/api/pages-handoff (types may be imported). The data-layer
    // fence above applies here too (this block restates it: a later block replaces the rule).
    files: [
      "apps/web/app/**",
      "apps/web/components/**",
      "apps/web/lib/**",
      "apps/web/auth.ts",
      "apps/web/auth-handlers.ts",
      "apps/web/proxy.ts",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...dataLayer.map(({ regex, message }) => ({ regex, message, allowTypeImports: true })),
            { regex: "^@gatehouse/api/testing", message: "The test kit is for tests only." },
            {
              regex: "^@gatehouse/api(?!/pages-handoff$)(/.*)?$",
              allowTypeImports: true,
              message: "Next's code uses the front server's API: pagesApi() from @gatehouse/api/pages-handoff (types may be imported).",
            },
          ],
        },
      ],
    },
  },
);
