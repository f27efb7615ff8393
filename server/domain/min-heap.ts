/** A binary min-heap by a numeric score. Written here because no kept dependency offers a priority queue. */
export class MinHeap<T> {
  private items: T[] = [];

  constructor(private readonly score: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.score(items[parent]!) <= this.score(items[i]!)) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && this.score(items[left]!) < this.score(items[least]!)) least = left;
      if (right < items.length && this.score(items[right]!) < this.score(items[least]!)) least = right;
      if (least === i) break;
      [items[least], items[i]] = [items[i]!, items[least]!];
      i = least;
    }
    return top;
  }

  /** Keeps only the items `keep` accepts (a sorted array is a valid heap). */
  retain(keep: (item: T) => boolean): void {
    this.items = this.items.filter(keep).sort((a, b) => this.score(a) - this.score(b));
  }
}
