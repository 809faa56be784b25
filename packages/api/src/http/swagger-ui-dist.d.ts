// swagger-ui-dist ships no types. Only this file of it runs in Node: the package's index.js would
// load the 1.8 MB browser bundle into the server.
declare module "swagger-ui-dist/absolute-path.js" {
  /** The absolute path of the package's directory (swagger-ui-bundle.js, swagger-ui.css, …). */
  const absolutePath: () => string;
  export default absolutePath;
}
