// Azure errors use OpenAI's shape; a missing deployment comes back as 404 DeploymentNotFound.
export { fromOpenAIError as fromAzureError } from "../openai/errors.ts";
