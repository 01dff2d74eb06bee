// Outbound requests wait for the end of the event-loop turn and leave together, in call order; one
// that cannot be sent fails alone. The sender is injected (a recorder) except in the abort case,
// which uses the real fetch.
import { describe, expect, test } from "bun:test";
import { turnBatcher } from "../../src/proxy/fetch-in-turn.ts";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function recordingSender() {
  const sent: string[] = [];
  const send = (url: string) => {
    if (url.includes("throw")) throw new TypeError(`cannot send ${url}`);
    sent.push(url);
    return Promise.resolve(new Response(url));
  };
  return { sent, send };
}

describe("turnBatcher", () => {
  test("requests of one turn are sent together after it, in call order", async () => {
    const { sent, send } = recordingSender();
    const fetchInTurn = turnBatcher(send);
    const replies = ["http://u/a", "http://u/b", "http://u/c"].map((url) => fetchInTurn(url, { method: "POST" }));
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual(["http://u/a", "http://u/b", "http://u/c"]);
    expect(await Promise.all(replies.map(async (r) => (await r).text()))).toEqual(["http://u/a", "http://u/b", "http://u/c"]);
  });

  test("a request made after a turn's group left waits for the next turn", async () => {
    const { sent, send } = recordingSender();
    const fetchInTurn = turnBatcher(send);
    const first = fetchInTurn("http://u/1", {});
    await nextTurn();
    const second = fetchInTurn("http://u/2", {});
    expect(sent).toEqual(["http://u/1"]);
    await nextTurn();
    expect(sent).toEqual(["http://u/1", "http://u/2"]);
    expect(await (await first).text()).toBe("http://u/1");
    expect(await (await second).text()).toBe("http://u/2");
  });

  test("a sender that throws fails only its own request", async () => {
    const { sent, send } = recordingSender();
    const fetchInTurn = turnBatcher(send);
    const ok1 = fetchInTurn("http://u/ok1", {});
    const bad = fetchInTurn("http://u/throw", {});
    const ok2 = fetchInTurn("http://u/ok2", {});
    await expect(bad).rejects.toThrow("cannot send http://u/throw");
    expect(await (await ok1).text()).toBe("http://u/ok1");
    expect(await (await ok2).text()).toBe("http://u/ok2");
    expect(sent).toEqual(["http://u/ok1", "http://u/ok2"]);
  });

  test("an aborted signal still rejects the request as an abort", async () => {
    const fetchInTurn = turnBatcher((url, init) => fetch(url, init));
    const controller = new AbortController();
    const pending = fetchInTurn("http://127.0.0.1:9/never", { signal: controller.signal });
    controller.abort();
    const err = await pending.then(() => undefined, (e: Error) => e);
    expect(err?.name).toBe("AbortError");
  });
});
