// Problems a head replay meets many times over (a WAL full of samples for
// one missing series), counted and reported once, at the first place, as
// Prometheus logs them once at the end of its replay (tsdb/head_wal.go).

import type { Finding } from '../encoding/errors.js';
import { Code } from '../encoding/finding-codes.js';

/** A place in the data dir: `wal/00000003` and the byte offset of a record or chunk. */
export interface Place {
  file: string;
  offset: number;
}

/** How often one problem occurred, and its first occurrence. */
export class Tally {
  count = 0;
  first: (Place & { detail: string }) | undefined;

  /** `detail` is called for the first occurrence only. */
  add(place: Place, detail: () => string): void {
    if (this.count++ === 0) this.first = { ...place, detail: detail() };
  }
}

/** The record kinds Prometheus counts in its "Unknown series references" warning. */
export type UnknownRefKind = 'samples' | 'histograms' | 'exemplars' | 'metadata' | 'tombstones' | 'mmap_markers';

/**
 * Records naming a series ref that no series record defined. Prometheus
 * 2.42 logs samples (tombstones counted with them), exemplars, histograms and
 * metadata; 3.5 adds tombstones and the number of distinct refs ("series").
 * Here each kind is counted apart, the WBL's with the WAL's (loadWBL logs
 * samples, histograms and m-map markers in a warning of its own, "for ooo WAL
 * replay"); loadWAL skips m-map markers.
 */
export class UnknownRefs {
  readonly counts: Record<UnknownRefKind, number> = { samples: 0, histograms: 0, exemplars: 0, metadata: 0, tombstones: 0, mmap_markers: 0 };
  private readonly refs = new Set<number>();
  private first: (Place & { kind: UnknownRefKind; ref: number }) | undefined;
  total = 0;

  add(kind: UnknownRefKind, ref: number, place: Place): void {
    if (this.total++ === 0) this.first = { ...place, kind, ref };
    this.counts[kind]++;
    this.refs.add(ref);
  }

  finding(): Finding | undefined {
    const f = this.first;
    if (!f) return undefined;
    const counts = (Object.keys(this.counts) as UnknownRefKind[])
      .filter((k) => this.counts[k] > 0)
      .map((k) => `${k}=${this.counts[k]}`)
      .join(' ');
    return {
      severity: 'warning',
      code: Code.WalUnknownRef,
      file: f.file,
      offset: f.offset,
      message:
        `${f.file} offset ${f.offset}: ${f.kind} record names series ref ${f.ref}, which no series record defined; ` +
        `in all, ${this.refs.size} unknown ref(s): ${counts}. Prometheus drops them on replay ("Unknown series references")`,
    };
  }
}
