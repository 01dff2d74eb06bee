// Outbound requests leave together, once per event-loop turn. Bun's fetch hands each request to
// its HTTP-client thread and wakes that thread. A bare proxy calls fetch for many requests in a row
// and the thread wakes once for all of them; Tollgate does 50-100 µs of work per call between two
// fetches, so without this every fetch woke the thread on its own (on one core: a switch to that
// thread and back, per request). Measured (bench scenario, 32 connections): 4,807-5,143 →
// 6,140-7,069 requests/s; one connection unchanged. The price is one event-loop turn before a
// request leaves. The first send also puts fetch's thread under SCHED_BATCH (http-thread-policy.ts).
import { afterSend } from "./http-thread-policy.ts";

type Send = (url: string, init: RequestInit) => Promise<Response>;

interface Queued {
  url: string;
  init: RequestInit;
  resolve: (response: Promise<Response>) => void;
  reject: (err: unknown) => void;
}

/** A fetch that queues the request and sends the turn's requests together, in call order. */
export function turnBatcher(send: Send): Send {
  let queue: Queued[] = [];
  const sendAll = () => {
    const turn = queue;
    queue = [];
    for (const q of turn) {
      try {
        q.resolve(send(q.url, q.init));
      } catch (err) {
        q.reject(err);
      }
    }
  };
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      if (queue.length === 0) setImmediate(sendAll);
      queue.push({ url, init, resolve, reject });
    });
}

export const fetchInTurn: Send = turnBatcher((url, init) => {
  const response = fetch(url, init);
  afterSend();
  return response;
});
