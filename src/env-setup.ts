// First import of main.ts (ESM imports are hoisted). Elysia reads NODE_ENV when its modules are
// evaluated; a compiled binary started without the variable would otherwise run Elysia in
// development mode, with verbose validation bodies (stack notes §2).
Bun.env.NODE_ENV ??= "production";
