import type { CodegenConfig } from "@graphql-codegen/cli";

// The API's committed schema is the contract (`api export-schema` writes it).
// `npm run codegen` regenerates src/gql; `npm run codegen:check` fails when stale.
const config: CodegenConfig = {
  schema: "../api/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // Documents as plain strings: no graphql-js AST in the bundle.
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: "string", UUID: "string" },
        strictScalars: true,
      },
    },
  },
};

export default config;
