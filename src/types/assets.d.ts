// `with { type: "file" }` imports resolve to a path (inside the binary: /$bunfs/root/...).
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const path: string;
  export default path;
}
declare module "*.css" {
  const path: string;
  export default path;
}
