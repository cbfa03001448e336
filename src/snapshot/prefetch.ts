// Run an async chunk producer ahead of its consumer, through a bounded
// queue. Decompression then proceeds in zlib's thread while the archive
// parser and the block checks run on the main thread, instead of the two
// taking turns.

export async function* prefetch(src: AsyncIterator<Buffer>, maxBytes: number): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let queued = 0;
  let done = false;
  let failure: { e: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  let stopped = false;
  const notify = () => {
    const w = wakeConsumer;
    wakeConsumer = undefined;
    w?.();
  };
  const producer = (async () => {
    try {
      for (;;) {
        if (stopped) return;
        const r = await src.next();
        if (r.done) return;
        queue.push(r.value);
        queued += r.value.length;
        notify();
        while (queued > maxBytes && !stopped) await new Promise<void>((w) => (wakeProducer = w));
      }
    } catch (e) {
      failure = { e };
    } finally {
      done = true;
      notify();
    }
  })();
  try {
    for (;;) {
      const b = queue.shift();
      if (b) {
        queued -= b.length;
        const w = wakeProducer;
        wakeProducer = undefined;
        w?.();
        yield b;
        continue;
      }
      if (failure) throw failure.e;
      if (done) return;
      await new Promise<void>((w) => (wakeConsumer = w));
    }
  } finally {
    stopped = true;
    const w = wakeProducer;
    wakeProducer = undefined;
    w?.();
    await producer;
    await src.return?.();
  }
}
