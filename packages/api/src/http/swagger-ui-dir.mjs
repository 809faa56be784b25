// The directory of swagger-ui-dist's files (swagger-ui-bundle.js, swagger-ui.css). Plain JS, typed
// by swagger-ui-dir.d.mts, because the package ships no types; and only this file of it, because its
// index.js would load the 1.8 MB browser bundle into the server. A static import, so the front
// server's bundle (apps/web/scripts/build-server.mjs) keeps the path to it.
export { default as swaggerUiDir } from "swagger-ui-dist/absolute-path.js";
