// Azure answers in OpenAI's shape (plus prompt_filter_results, which is passed on).
export { fromOpenAIResponse as fromAzureResponse } from "../openai/response.ts";
