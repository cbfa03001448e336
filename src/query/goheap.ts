// Go's container/heap, step for step. Prometheus merges series and
// samples across blocks with it, and which duplicate wins on a tie depends
// on its exact sift order, so we reproduce that order.

export class GoHeap<T> {
  readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get length(): number {
    return this.items.length;
  }

  push(x: T): void {
    this.items.push(x);
    this.up(this.items.length - 1);
  }

  pop(): T {
    const n = this.items.length - 1;
    this.swap(0, n);
    this.down(0, n);
    return this.items.pop() as T;
  }

  private swap(i: number, j: number): void {
    const h = this.items;
    const t = h[i];
    h[i] = h[j];
    h[j] = t;
  }

  private up(j: number): void {
    const h = this.items;
    for (;;) {
      const i = ((j - 1) / 2) | 0; // parent
      if (i === j || !this.less(h[j], h[i])) break;
      this.swap(i, j);
      j = i;
    }
  }

  private down(i0: number, n: number): boolean {
    const h = this.items;
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) break;
      let j = j1; // left child
      const j2 = j1 + 1;
      if (j2 < n && this.less(h[j2], h[j1])) j = j2; // right child
      if (!this.less(h[j], h[i])) break;
      this.swap(i, j);
      i = j;
    }
    return i > i0;
  }
}
