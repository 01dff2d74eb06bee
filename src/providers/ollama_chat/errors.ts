// Same error body as /api/generate: {"error":"..."}.
export { fromOllamaError as fromOllamaChatError } from "../ollama/errors.ts";
