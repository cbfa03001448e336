// The head block of a data dir, rebuilt offline the way Prometheus's
// Head.Init rebuilds it at start-up (tsdb/head.go, tsdb/head_wal.go,
// tsdb/head_append.go, 2.42):
//
// 1. m-mapped chunks: every chunks_head/ file in order; chunks with maxTime
//    below minValidTime are skipped, out-of-order chunks (encoding bit 0x80)
//    go to the out-of-order head (ooo-head.ts). A bad chunk drops its file and every later file (Prometheus
//    deletes them and relies on the WAL); a chunk that overlaps the previous
//    chunk of its series drops all m-mapped chunks. Chunks are kept whole:
//    a chunk that ends after minValidTime may start before it, and its early
//    samples are read too, as Prometheus's head querier reads them (a merge
//    with the blocks drops them as duplicates).
// 2. The last checkpoint, then the segments numbered after it, in order.
//    - series: labels → series (a record for known labels maps the new ref
//      onto the existing series). Each series record gives the series the
//      m-mapped chunks of its ref and empties its in-memory samples. A
//      record that gives a known ref to other labels is an error (see
//      checkReuse).
//    - samples and histograms: dropped when before minValidTime, for an
//      unknown ref, or at or before the series' last timestamp (the end of
//      its m-mapped chunks or its last appended sample, float or histogram:
//      memSeries.appendPreprocessor treats duplicates and out-of-order alike).
//    - tombstones: kept for known refs whose interval ends at or after
//      minValidTime; they hide samples when series are read.
//    - metadata: the latest per series; exemplars are only counted.
//    The first corrupt record or fragment ends the replay of the segments
//    (Prometheus's repair truncates the WAL there); a torn tail at the very
//    end of the last segment is a warning. Consecutive segments are read as
//    one stream, so a record may continue into the next segment (Prometheus
//    reads each segment on its own here and would call that torn; its writer
//    never splits a record across segments).
// 3. The WBL (wbl/ segments, no checkpoint) into the out-of-order head
//    (ooo-head.ts); its corruption and torn tail are reported as the WAL's.
// 4. Series without any sample are dropped (Head.gc after Init). Unknown
//    refs, reused refs and chunks of unknown encodings are reported once each,
//    with counts and the first place, as Prometheus logs them once.
//
// Where Prometheus refuses to open the head at all (wal or chunks_head not a
// directory, segments or chunk files not in sequence), `refusal()` says so.
//
// Not replayed: chunk snapshots
// (chunk_snapshot.*), exemplar storage limits. `lock` and `queries.active`
// are not read.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HistogramSample } from '../chunkenc/histogrammeta.js';
import { SampleList } from '../chunkenc/sample-list.js';
import {
  headChunkFileSeq,
  OUT_OF_ORDER_FLAG,
  isEmptyHeadChunkFile,
  readHeadChunkFile,
  type HeadChunk,
} from '../chunks/head-segment.js';
import { TsdbError, findingFromError, type Finding } from '../encoding/errors.js';
import { addInterval, isDeleted, type Interval } from '../tombstones/tombstones.js';
import { planWalReplay, type SegmentRef, type WalReplayPlan } from './checkpoint.js';
import { readRecord, type RefMetadata, type WalRecord } from './records.js';
import { WalReader, type RawRecord, type WalSegment } from './segment.js';
import { compareLabels } from '../encoding/compare.js';
import { Code, type FindingCode } from '../encoding/finding-codes.js';
import { Tally, UnknownRefs, type Place } from './replay-tally.js';
import { mergeOutOfOrder, OooSeries, pushChunk } from './ooo-head.js';

/** The files of a data dir, from a directory or an archive. */
export interface DataDirFiles {
  /** Regular files, relative to the data dir, `/`-separated: `wal/00000003`, `chunks_head/000001`, … */
  readonly paths: readonly string[];
  /** A file's bytes, or undefined when it cannot be read. */
  read(path: string): Uint8Array | undefined;
}

export interface ReplayOptions {
  /**
   * Samples before this (ms) are dropped, as Prometheus drops what its
   * blocks already hold: pass the newest block's maxTime. Default: none.
   */
  minValidTime?: number;
}

export interface HeadStats {
  /** Series with at least one sample. */
  numSeries: number;
  /** Samples held (m-mapped and replayed), floats and histograms, before tombstones. */
  numSamples: number;
  numHistogramSamples: number;
  /** Head time range as Prometheus reports it (minTime raised to minValidTime); Infinity / -Infinity when empty. */
  minTime: number;
  maxTime: number;
  numMmappedChunks: number;
  /** Out-of-order chunks m-mapped in chunks_head/. */
  numOutOfOrderChunks: number;
  /** Samples in the out-of-order head (its m-mapped chunks and the WBL's samples), not in `numSamples`. */
  numOutOfOrderSamples: number;
  numTombstones: number;
  numExemplars: number;
  /** Records read, by type (`samples`, `series`, …, `unknown`). */
  records: Record<string, number>;
  /** Samples and histograms dropped as duplicate or out of order (not counting those already in m-mapped chunks). */
  droppedOutOfOrder: number;
  /** Samples, histograms, tombstones and metadata whose series ref was unknown. */
  unknownRefs: number;
}

/** A series' samples in time order, floats and histograms (what a SampleList holds). */
export interface HeadSamples {
  n: number;
  t: Float64Array;
  /** Float values, bit-exact; undefined positions of `h` are floats. */
  v: Float64Array;
  h?: (HistogramSample | undefined)[];
  /** Whether each histogram is a float histogram. */
  hf?: boolean[];
}

export interface HeadSeries {
  ref: number;
  /** Flattened [name, value, …]. */
  labels: string[];
  metadata?: Omit<RefMetadata, 'ref'>;
}

/** Findings for which Prometheus refuses to open the head (it does not start; promtool exits 1). */
const REFUSED: ReadonlySet<FindingCode> = new Set([Code.WalUnreadable, Code.WalSegmentMissing, Code.HeadChunksUnreadable, Code.HeadChunksMissing]);

class MemSeries {
  mmapped: HeadChunk[] = [];
  /** Samples appended by the replay since the last series record. */
  buf = new SampleList(16);
  /** End of the m-mapped chunks: WAL samples up to it are already in them. */
  mmMaxTime = -Infinity;
  /** Last timestamp of the series: samples at or before it are dropped. */
  lastT = -Infinity;
  /** The out-of-order head, when there is one. */
  ooo: OooSeries | undefined;
  metadata: Omit<RefMetadata, 'ref'> | undefined;
  constructor(
    readonly ref: number,
    readonly labels: string[],
  ) {}
}

export class Head {
  /** Problems met while rebuilding the head (torn tails are warnings). */
  readonly findings: Finding[] = [];

  /** The first finding for which Prometheus (and promtool) would not open this head at all. */
  refusal(): Finding | undefined {
    return this.findings.find((f) => REFUSED.has(f.code));
  }
  /** The replay plan that was followed. */
  plan: WalReplayPlan | undefined;
  private readonly minValidTime: number;
  private readonly byRef = new Map<number, MemSeries>();
  private readonly byLabels = new Map<string, MemSeries>();
  /** Series refs of duplicate series records → the series' own ref. */
  private readonly multiRef = new Map<number, number>();
  private readonly tombstones = new Map<number, Interval[]>();
  private mmByRef = new Map<number, HeadChunk[]>();
  private oooByRef = new Map<number, HeadChunk[]>();
  /** The ref of the last chunk in chunks_head/: WBL m-map markers after it are ignored. */
  private lastMmapRef = 0;
  /** Refs a series record gave to other labels: Prometheus answers neither series (see apply). */
  private readonly reusedRefs = new Set<number>();
  private readonly reused = new Tally();
  private readonly unknown = new UnknownRefs();
  private readonly badEncodings = new Tally();
  private minT = Infinity;
  private maxT = -Infinity;
  private readonly st = {
    numOutOfOrderChunks: 0,
    numTombstones: 0,
    numExemplars: 0,
    droppedOutOfOrder: 0,
    records: {} as Record<string, number>,
  };

  constructor(opts: ReplayOptions = {}) {
    this.minValidTime = opts.minValidTime ?? -Infinity;
  }

  /** Series with samples, in label order. */
  seriesList(): HeadSeries[] {
    const out: HeadSeries[] = [];
    for (const s of this.live()) {
      const hs: HeadSeries = { ref: s.ref, labels: s.labels };
      if (s.metadata) hs.metadata = s.metadata;
      out.push(hs);
    }
    return out;
  }

  /**
   * Each series with its samples in time order, m-mapped chunks first, then
   * the replayed samples, tombstoned samples removed; series left without
   * samples are skipped. Label order (Go's labels.Compare).
   */
  *series(): Generator<HeadSeries & { samples: HeadSamples }> {
    for (const s of this.live()) {
      const samples = this.samplesOf(s);
      if (samples.n === 0) continue;
      const hs: HeadSeries & { samples: HeadSamples } = { ref: s.ref, labels: s.labels, samples };
      if (s.metadata) hs.metadata = s.metadata;
      yield hs;
    }
  }

  stats(): HeadStats {
    let numSeries = 0;
    let numSamples = 0;
    let numHistogramSamples = 0;
    let numMmappedChunks = 0;
    let numOutOfOrderSamples = 0;
    for (const s of this.byRef.values()) {
      if (!this.hasData(s) || this.reusedRefs.has(s.ref)) continue;
      numSeries++;
      numOutOfOrderSamples += s.ooo?.numSamples() ?? 0;
      numMmappedChunks += s.mmapped.length;
      for (const c of s.mmapped) {
        numSamples += c.numSamples;
        if (c.encoding !== 1 && c.encoding !== 4) numHistogramSamples += c.numSamples;
      }
      numSamples += s.buf.n;
      if (s.buf.h) for (let i = 0; i < s.buf.n; i++) if (s.buf.h[i]) numHistogramSamples++;
    }
    const empty = this.minT === Infinity;
    return {
      numSeries,
      numSamples,
      numHistogramSamples,
      minTime: empty ? Infinity : Math.max(this.minT, this.minValidTime),
      maxTime: this.maxT,
      numMmappedChunks,
      numOutOfOrderChunks: this.st.numOutOfOrderChunks,
      numOutOfOrderSamples,
      numTombstones: this.st.numTombstones,
      numExemplars: this.st.numExemplars,
      records: { ...this.st.records },
      droppedOutOfOrder: this.st.droppedOutOfOrder,
      unknownRefs: this.unknown.total,
    };
  }

  /** Tombstoned intervals by series ref. */
  tombstoneIntervals(): ReadonlyMap<number, readonly Interval[]> {
    return this.tombstones;
  }

  // -------------------------------------------------------------------------
  // Replay steps (used by replayHead, in this order).

  /** Step 1: the chunks_head/ files. */
  loadMmappedChunks(files: DataDirFiles, dir = 'chunks_head'): void {
    const prefix = dir + '/';
    const entries: { path: string; seq: number }[] = [];
    for (const p of files.paths) {
      if (!p.startsWith(prefix)) continue;
      const seq = headChunkFileSeq(p.slice(prefix.length));
      if (seq !== undefined) entries.push({ path: p, seq });
    }
    entries.sort((a, b) => a.seq - b.seq);
    const byRef = new Map<number, HeadChunk[]>();
    const oooByRef = new Map<number, HeadChunk[]>();
    let lastRef = 0;
    for (let i = 0; i < entries.length; i++) {
      const { path: p, seq } = entries[i]!;
      const last = i === entries.length - 1;
      if (i > 0 && seq !== entries[i - 1]!.seq + 1) {
        this.findings.push({ severity: 'error', code: Code.HeadChunksMissing, file: p, message: `head chunk files are not consecutive: ${entries[i - 1]!.path} is followed by ${p}` });
      }
      const buf = files.read(p);
      if (!buf) {
        this.findings.push({ severity: 'error', code: Code.HeadChunksUnreadable, file: p, message: `${p} cannot be read` });
        break;
      }
      // A last file without a header is one just cut: Prometheus deletes it quietly.
      if (last && isEmptyHeadChunkFile(buf)) break;
      let f;
      try {
        f = readHeadChunkFile(buf, p, seq);
      } catch (e) {
        if (!(e instanceof TsdbError)) throw e;
        this.findings.push(findingFromError(e, Code.HeadChunksCorrupt, 'error', { file: p }));
        break;
      }
      if (f.error) {
        const torn = last && f.tornTail === true;
        const tail = `; Prometheus drops ${p}${last ? '' : ' and the files after it'} and replays their samples from the WAL`;
        this.findings.push({
          severity: torn ? 'warning' : 'error',
          code: torn ? Code.HeadChunksTornTail : Code.HeadChunksCorrupt,
          file: p,
          offset: f.end,
          message: (torn ? `${p}: last chunk is torn (only zeros follow it): ` : '') + f.error.message + tail,
        });
        break;
      }
      let overlap: { at: number; message: string } | undefined;
      for (const c of f.chunks) {
        if (!c.outOfOrder && c.maxTime < this.minValidTime) continue;
        // Prometheus skips a chunk whose encoding it does not know (chunkenc.IsValidEncoding),
        // without a word: 1-3 in 2.42 and 3.5, 4-6 (XOR2, the ST histograms) in later 3.x.
        const base = c.encoding & ~OUT_OF_ORDER_FLAG;
        if (base < 1 || base > 6) {
          this.badEncodings.add({ file: p, offset: c.offset }, () => `chunk of series ref ${c.seriesRef} [${c.minTime}, ${c.maxTime}] has encoding ${c.encoding}`);
          continue;
        }
        if (c.outOfOrder) {
          this.st.numOutOfOrderChunks++;
          let ooo = oooByRef.get(c.seriesRef);
          if (!ooo) oooByRef.set(c.seriesRef, (ooo = []));
          ooo.push(c);
          continue;
        }
        let list = byRef.get(c.seriesRef);
        if (!list) byRef.set(c.seriesRef, (list = []));
        const prev = list[list.length - 1];
        if (prev && prev.maxTime >= c.minTime) {
          overlap = { at: c.offset, message: `${p} offset ${c.offset}: chunk [${c.minTime}, ${c.maxTime}] of series ref ${c.seriesRef} overlaps the previous one [${prev.minTime}, ${prev.maxTime}]` };
          break;
        }
        list.push(c);
      }
      if (overlap) {
        this.findings.push({ severity: 'error', code: Code.HeadChunksOutOfSequence, file: p, offset: overlap.at, message: `${overlap.message} ("out of sequence m-mapped chunk"); Prometheus then discards all m-mapped chunks` });
        byRef.clear();
        oooByRef.clear();
        lastRef = 0;
        break;
      }
      lastRef = f.chunks[f.chunks.length - 1]?.ref ?? lastRef;
    }
    this.mmByRef = byRef;
    this.oooByRef = oooByRef;
    this.lastMmapRef = lastRef;
  }

  /** Step 2a: the records of the last checkpoint. */
  replayCheckpoint(files: DataDirFiles, plan: WalReplayPlan): void {
    const cp = plan.checkpoint;
    if (!cp) return;
    const segs = this.segmentsOf(files, cp.segments);
    if (!segs) return;
    const r = new WalReader(segs);
    if (!this.replayRecords(r, Code.CheckpointCorrupt, `the rest of ${cp.dir} is not replayed`, this.apply.bind(this))) return;
    if (r.tornTail) {
      // A checkpoint is renamed into place only when complete: a torn one is corrupt.
      const t = r.tornTail;
      this.findings.push({ severity: 'error', code: Code.CheckpointCorrupt, file: t.segment, offset: t.offset, message: `${t.message} (a checkpoint is complete when renamed into place)` });
    }
  }

  /**
   * Step 2b: the segments after the checkpoint. Returns false when a
   * corruption stopped the replay early.
   */
  replaySegments(files: DataDirFiles, plan: WalReplayPlan, wbl = false): boolean {
    const runs = plan.runs;
    const apply = wbl ? this.applyWbl.bind(this) : this.apply.bind(this);
    const log = wbl ? 'WBL' : 'WAL';
    for (let k = 0; k < runs.length; k++) {
      const segs = this.segmentsOf(files, runs[k]!);
      if (!segs) return false;
      const r = new WalReader(segs);
      if (!this.replayRecords(r, Code.WalCorrupt, `Prometheus repairs the ${log} by dropping everything from here on`, apply)) return false;
      const t = r.tornTail;
      if (t) {
        const lastRun = k === runs.length - 1;
        this.findings.push({
          severity: lastRun ? 'warning' : 'error',
          code: lastRun ? Code.WalTornTail : Code.WalCorrupt,
          file: t.segment,
          offset: t.offset,
          message: lastRun ? `${t.message}; Prometheus drops the torn record on start` : `${t.message}, but more segments follow`,
        });
        if (!lastRun) return false;
      }
    }
    return true;
  }

  // -------------------------------------------------------------------------

  private segmentsOf(files: DataDirFiles, refs: readonly SegmentRef[]): WalSegment[] | undefined {
    const out: WalSegment[] = [];
    for (const s of refs) {
      const bytes = files.read(s.path);
      if (!bytes) {
        this.findings.push({ severity: 'error', code: Code.WalUnreadable, file: s.path, message: `${s.path} cannot be read` });
        return undefined;
      }
      out.push({ name: s.path, bytes });
    }
    return out;
  }

  /** Applies every record of `r`; false (with a finding) at the first corruption. */
  private replayRecords(r: WalReader, code: FindingCode, consequence: string, apply: (rec: WalRecord, raw: RawRecord) => void): boolean {
    for (;;) {
      let rec: WalRecord;
      let raw: RawRecord | undefined;
      try {
        raw = r.next();
        if (!raw) return true;
        rec = readRecord(raw);
      } catch (e) {
        if (!(e instanceof TsdbError)) throw e;
        const f = findingFromError(e, code, 'error');
        f.message += `; ${consequence}`;
        this.findings.push(f);
        return false;
      }
      apply(rec, raw);
    }
  }

  /**
   * A series record that gives a known ref to other labels. Prometheus never
   * writes one (new refs only grow). On replay getOrCreateWithID creates the
   * new series under the ref (stripeSeries.getOrSet overwrites series[ref])
   * while the old one stays in the label hash and the postings, and no
   * multiRef entry is made; 2.42 and 3.5.3 servers (and promtool tsdb dump)
   * then answer neither series, without a log line. So both are left out.
   */
  private checkReuse(ref: number, labels: string[], key: string, at: Place): void {
    const prev = this.lookup(ref);
    if (!prev || prev.labels.join('\xff') === key) return;
    this.reusedRefs.add(ref);
    this.reused.add(at, () => `series record gives ref ${ref} to ${labelsText(labels)}, but ref ${ref} is ${labelsText(prev.labels)}`);
  }

  /** Step 3: what the replay counted, as Prometheus reports it at the end (once each). */
  reportTallies(): void {
    const enc = this.badEncodings.first;
    if (enc) {
      this.findings.push({
        severity: 'warning',
        code: Code.HeadChunksEncoding,
        file: enc.file,
        offset: enc.offset,
        message: `${enc.file} offset ${enc.offset}: ${enc.detail}, which Prometheus does not know (${this.badEncodings.count} such chunk(s)); it skips them without a word, so their samples are lost unless the WAL still holds them`,
      });
    }
    const re = this.reused.first;
    if (re) {
      this.findings.push({
        severity: 'error',
        code: Code.WalSeriesRefReused,
        file: re.file,
        offset: re.offset,
        message: `${re.file} offset ${re.offset}: ${re.detail} (${this.reused.count} such series entries); Prometheus rebinds the ref without a word and then answers neither series, so their samples are lost`,
      });
    }
    const unknown = this.unknown.finding();
    if (unknown) this.findings.push(unknown);
  }

  private lookup(ref: number): MemSeries | undefined {
    return this.byRef.get(this.multiRef.get(ref) ?? ref);
  }

  private apply(rec: WalRecord, raw: RawRecord): void {
    const at: Place = { file: raw.segment, offset: raw.offset };
    const counts = this.st.records;
    counts[rec.type] = (counts[rec.type] ?? 0) + 1;
    const minValid = this.minValidTime;
    switch (rec.type) {
      case 'series':
        for (const { ref, labels } of rec.series) {
          const key = labels.join('\xff');
          this.checkReuse(ref, labels, key, at);
          let s = this.byLabels.get(key);
          if (s) {
            if (s.ref !== ref) this.multiRef.set(ref, s.ref);
          } else {
            s = new MemSeries(ref, labels);
            this.byLabels.set(key, s);
            this.byRef.set(ref, s);
          }
          // resetSeriesWithMMappedChunks: the m-mapped chunks of this ref, no head chunk.
          const mm = this.mmByRef.get(ref) ?? [];
          s.mmapped = mm;
          s.buf = new SampleList(16);
          s.mmMaxTime = mm.length > 0 ? mm[mm.length - 1]!.maxTime : -Infinity;
          const ooo = this.oooByRef.get(ref);
          s.ooo = ooo ? Object.assign(new OooSeries(), { mmapped: ooo }) : undefined;
          s.lastT = s.mmMaxTime;
          if (mm.length > 0) this.updateMinMax(mm[0]!.minTime, s.lastT);
        }
        break;
      case 'samples': {
        const { n, ref, t, v } = rec.samples;
        const w = new Uint32Array(v.buffer, v.byteOffset, 2 * n);
        for (let i = 0; i < n; i++) {
          const ti = t[i]!;
          if (ti < minValid) continue;
          const s = this.lookup(ref[i]!);
          if (!s) {
            this.unknown.add('samples', ref[i]!, at);
            continue;
          }
          if (ti <= s.lastT) {
            if (ti > s.mmMaxTime) this.st.droppedOutOfOrder++;
            continue;
          }
          s.buf.pushFloatWords(ti, w[2 * i]!, w[2 * i + 1]!);
          s.lastT = ti;
          this.updateMinMax(ti, ti);
        }
        break;
      }
      case 'histograms':
        for (const { ref, h } of rec.histograms) {
          if (h.t < minValid) continue;
          const s = this.lookup(ref);
          if (!s) {
            this.unknown.add('histograms', ref, at);
            continue;
          }
          if (h.t <= s.lastT) {
            if (h.t > s.mmMaxTime) this.st.droppedOutOfOrder++;
            continue;
          }
          s.buf.pushHistogram(h, rec.float);
          s.lastT = h.t;
          this.updateMinMax(h.t, h.t);
        }
        break;
      case 'tombstones':
        for (const { ref, minTime, maxTime } of rec.tombstones) {
          if (maxTime < minValid) continue;
          // 2.42 looks tombstones, exemplars and metadata up by the record's ref only (3.5 maps duplicate refs first).
          if (!this.byRef.has(ref)) {
            this.unknown.add('tombstones', ref, at);
            continue;
          }
          this.tombstones.set(ref, addInterval(this.tombstones.get(ref) ?? [], { minTime, maxTime }));
          this.st.numTombstones++;
        }
        break;
      case 'exemplars':
        for (const e of rec.exemplars) {
          if (!this.byRef.has(e.ref)) this.unknown.add('exemplars', e.ref, at);
          else if (e.t >= minValid) this.st.numExemplars++;
        }
        break;
      case 'metadata':
        for (const m of rec.metadata) {
          const s = this.byRef.get(m.ref);
          if (!s) this.unknown.add('metadata', m.ref, at);
          else s.metadata = { type: m.type, unit: m.unit, help: m.help };
        }
        break;
      case 'mmapmarkers':
      case 'unknown':
        break;
    }
  }

  /** A WBL record: samples and histograms into the OOO head, m-map markers (loadWBL). */
  private applyWbl(rec: WalRecord, raw: RawRecord): void {
    const at: Place = { file: raw.segment, offset: raw.offset };
    const counts = this.st.records;
    const kind = `wbl ${rec.type}`;
    counts[kind] = (counts[kind] ?? 0) + 1;
    switch (rec.type) {
      case 'samples': {
        const { n, ref, t, v } = rec.samples;
        const w = new Uint32Array(v.buffer, v.byteOffset, 2 * n);
        for (let i = 0; i < n; i++) {
          const s = this.lookup(ref[i]!);
          if (!s) this.unknown.add('samples', ref[i]!, at);
          else (s.ooo ??= new OooSeries()).insertFloatWords(t[i]!, w[2 * i]!, w[2 * i + 1]!);
        }
        break;
      }
      case 'histograms':
        for (const { ref, h } of rec.histograms) {
          const s = this.lookup(ref);
          if (!s) this.unknown.add('histograms', ref, at);
          else (s.ooo ??= new OooSeries()).insertHistogram(h, rec.float);
        }
        break;
      case 'mmapmarkers':
        for (const m of rec.markers) {
          if (m.mmapRef > this.lastMmapRef) continue;
          const s = this.lookup(m.ref);
          if (!s) this.unknown.add('mmap_markers', m.ref, at);
          else s.ooo?.dropHeadChunk();
        }
        break;
      default:
        break;
    }
  }

  private updateMinMax(mint: number, maxt: number): void {
    if (mint < this.minT) this.minT = mint;
    if (maxt > this.maxT) this.maxT = maxt;
  }

  private hasData(s: MemSeries): boolean {
    return s.mmapped.length > 0 || s.buf.n > 0 || s.ooo?.hasData() === true;
  }

  /** Live series in label order; a series is live under its first ref only. */
  private live(): MemSeries[] {
    const out: MemSeries[] = [];
    for (const [ref, s] of this.byRef) if (s.ref === ref && this.hasData(s) && !this.reusedRefs.has(ref)) out.push(s);
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  private samplesOf(s: MemSeries): HeadSamples {
    const del = this.tombstones.get(s.ref);
    const out = new SampleList(16);
    for (const c of s.mmapped) pushChunk(out, c, del, s.ref);
    const b = s.buf;
    for (let i = 0; i < b.n; i++) if (!isDeleted(del, b.t[i]!)) out.pushFrom(b, i);
    return s.ooo ? mergeOutOfOrder(out, s.ooo.samples(del, s.ref)) : out;
  }
}

/**
 * Rebuilds the head of a data dir: m-mapped chunks, the last checkpoint, the
 * segments after it. Never throws for bad data: problems are in `findings`.
 */
export function replayHead(files: DataDirFiles, opts: ReplayOptions = {}): Head {
  const head = new Head(opts);
  // wal or chunks_head as a regular file: Prometheus and promtool fail to open it ("not a directory").
  for (const [dir, code] of [['chunks_head', Code.HeadChunksUnreadable], ['wal', Code.WalUnreadable]] as const) {
    if (files.paths.includes(dir)) head.findings.push({ severity: 'error', code, file: dir, message: `${dir} is a file, not a directory; Prometheus cannot open the head` });
  }
  head.loadMmappedChunks(files);
  const plan = planWalReplay(files.paths);
  head.plan = plan;
  head.findings.push(...plan.findings);
  head.replayCheckpoint(files, plan);
  head.replaySegments(files, plan);
  const wbl = planWalReplay(files.paths, 'wbl');
  head.findings.push(...wbl.findings);
  head.replaySegments(files, wbl, true);
  head.reportTallies();
  return head;
}

/** The WAL and chunks_head files of a data dir on disk. */
export function dirDataFiles(dataDir: string): DataDirFiles {
  const paths: string[] = [];
  const walk = (rel: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dataDir, rel), { withFileTypes: true });
    } catch (e) {
      // wal or chunks_head as a file: listed, so the replay can say Prometheus cannot open it.
      if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') paths.push(rel);
      return;
    }
    for (const e of entries) {
      const p = `${rel}/${e.name}`;
      if (e.isFile()) paths.push(p);
      else if (e.isDirectory() && depth > 0) walk(p, depth - 1);
    }
  };
  walk('wal', 1);
  walk('wbl', 0);
  walk('chunks_head', 0);
  paths.sort();
  return {
    paths,
    read(p) {
      try {
        return fs.readFileSync(path.join(dataDir, p));
      } catch {
        return undefined; // gone, or not readable: reported as unreadable
      }
    },
  };
}

/** `{name="value", …}` for messages. */
function labelsText(l: readonly string[]): string {
  const pairs: string[] = [];
  for (let i = 0; i + 1 < l.length; i += 2) pairs.push(`${l[i]}=${JSON.stringify(l[i + 1])}`);
  return `{${pairs.join(', ')}}`;
}
