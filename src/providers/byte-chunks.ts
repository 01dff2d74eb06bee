// A ReadableStream read as an async iteration of its chunks. The DOM typings lack the stream's
// own async iterator; the reader also lets an early `return` cancel the upstream body.
export async function* byteChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
