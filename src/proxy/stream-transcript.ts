// general_settings.store_prompts_in_spend_logs: a streamed answer kept for the spend log as the one
// chat completion it adds up to (id, model, the content of the first choice, finish reason,
// usage). Built only when the setting is on: passed-through text is parsed again here.
import { type Json, SseText, type StreamItem } from "../providers/types.ts";

export class StreamTranscript {
  private id: unknown;
  private model: unknown;
  private content = "";
  private finishReason: unknown = null;
  private usage: unknown;

  add(item: StreamItem): void {
    if (!(item instanceof SseText)) return this.chunk(item);
    for (const event of item.text.split("\n\n")) {
      if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
      try {
        this.chunk(JSON.parse(event.slice(6)) as Json);
      } catch {
        // not JSON: nothing to keep
      }
    }
    // Usage read on the side: the text may not show it (a client that did not ask for it).
    if (item.usage) this.usage = item.usage;
  }

  private chunk(c: Json): void {
    this.id ??= c.id;
    this.model ??= c.model;
    const choice = (c.choices as Json[] | undefined)?.[0];
    const delta = choice?.delta as Json | undefined;
    const text = delta?.content ?? choice?.text;
    if (typeof text === "string") this.content += text;
    if (choice?.finish_reason) this.finishReason = choice.finish_reason;
    if (c.usage) this.usage = c.usage;
  }

  result(): Json {
    return {
      id: this.id ?? null,
      object: "chat.completion",
      model: this.model ?? null,
      choices: [{ index: 0, message: { role: "assistant", content: this.content }, finish_reason: this.finishReason }],
      usage: this.usage ?? null,
    };
  }
}
