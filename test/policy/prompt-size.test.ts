// The prompt size the token estimates start from: the serialised prompt, or, for a large body that
// came from a request, the length of the text it came in (not serialised a second time).
import { expect, test } from "bun:test";
import { promptChars } from "../../src/policy/prompt-size.ts";
import { rememberText } from "../../src/proxy/request-text.ts";

const parsed = (text: string) => {
  const body = JSON.parse(text) as Record<string, unknown>;
  rememberText(body, text);
  return body;
};

test("a small body is measured by its serialised prompt alone, whatever else it carries", () => {
  const messages = [{ role: "user", content: "hello" }];
  const text = JSON.stringify({ model: "m", messages, mock_response: "x".repeat(500) });
  expect(promptChars(parsed(text))).toBe(JSON.stringify(messages).length);
  expect(promptChars({ prompt: "abc" })).toBe(3);
  expect(promptChars({ model: "m" })).toBe(0);
});

test("a large request body is measured by its own text: never less than the prompt", () => {
  const messages = [{ role: "user", content: "word ".repeat(13_000) }];
  const text = `{ "model": "m",  "messages": ${JSON.stringify(messages)} }`;
  const chars = promptChars(parsed(text));
  expect(chars).toBe(text.length);
  expect(chars).toBeGreaterThanOrEqual(JSON.stringify(messages).length);
  // The same prompt without its request text is serialised.
  expect(promptChars({ messages })).toBe(JSON.stringify(messages).length);
});
