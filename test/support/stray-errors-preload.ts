// Preloaded into a gateway started from source by test/stray-errors.test.ts: once the gateway has
// installed its handlers (or after a second, if it never does), a timer throws and a promise is
// rejected with nobody awaiting it, as a library's background work might.
const started = performance.now();
const wait = setInterval(() => {
  if (process.listenerCount("uncaughtException") === 0 && performance.now() - started < 1_000) return;
  clearInterval(wait);
  setTimeout(() => {
    throw new Error("boom from a library timer");
  }, 0);
  void Promise.reject(new Error("a rejection nobody awaits"));
}, 20);
