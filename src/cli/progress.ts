// A progress bar on stderr, drawn only when stderr is a terminal.

export interface Progress {
  update(done: number, total: number | undefined): void;
  done(): void;
}

export function progressBar(label: string): Progress {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  const draw = (done: number, total: number | undefined) => {
    const mb = (done / 1048576).toFixed(1);
    if (total && total > 0) {
      const frac = Math.min(1, done / total);
      const width = 30;
      const fill = Math.round(frac * width);
      process.stderr.write(`\r${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(frac * 100).toFixed(0)}% ${mb} MiB`);
    } else process.stderr.write(`\r${label} ${mb} MiB`);
  };
  return {
    update(done, total) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(done, total);
    },
    done() {
      if (tty && last) process.stderr.write('\r\x1b[K');
    },
  };
}
