// The block timeline of one snapshot as inline SVG: each block a bar on a
// time axis (its compaction level written on it and in its colour, the head
// distinct), blocks that overlap put in lanes of their own and the overlap
// marked, holes in the coverage marked. Below it, samples over time: each
// block's samples per second across its range.

import { axisTicks, count, esc, px, utc, xOf, type TimeAxis } from './svg.js';

export interface TimelineBlock {
  ulid: string;
  minTime: number;
  /** Exclusive, as in meta.json. */
  maxTime: number;
  level?: number;
  /** The head, written as a block by the snapshot API (skip_head=false). */
  head: boolean;
  ok: boolean;
  numSamples: number;
  numSeries: number;
}

export interface TimelineSnapshot {
  name: string;
  blocks: TimelineBlock[];
  /** A data dir's head, replayed from its WAL (maxTime inclusive). */
  wal?: { minTime: number; maxTime: number; numSamples: number };
  /** Holes verify reported (coverage-gap). */
  gaps: { from: number; to: number }[];
}

export const TIMELINE_WIDTH = 1000;
const LEFT = 10;
const LANE = 26;
/** Overlapping blocks beyond this many at once share the last lane. */
const MAX_LANES = 8;

/** The anchor of a block's row in the blocks table (findings link there). */
export function blockAnchor(snapshot: string, ulid: string): string {
  return 'block-' + `${snapshot}-${ulid}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function timeAxis(s: TimelineSnapshot): TimeAxis | undefined {
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const b of s.blocks) [t0, t1] = [Math.min(t0, b.minTime), Math.max(t1, b.maxTime)];
  if (s.wal) [t0, t1] = [Math.min(t0, s.wal.minTime), Math.max(t1, s.wal.maxTime + 1)];
  return Number.isFinite(t0) ? { t0, t1, x0: LEFT, width: TIMELINE_WIDTH - 2 * LEFT } : undefined;
}

/** A lane for each block, by minTime: the first lane free by then. */
function lanes(blocks: readonly TimelineBlock[]): number[] {
  const ends: number[] = [];
  return blocks.map((b) => {
    let k = ends.findIndex((e) => e <= b.minTime);
    if (k < 0) k = ends.length < MAX_LANES ? ends.length : MAX_LANES - 1;
    ends[k] = Math.max(ends[k] ?? -Infinity, b.maxTime);
    return k;
  });
}

/** Time ranges where a block starts before an earlier one ends. */
function overlaps(blocks: readonly TimelineBlock[]): [number, number][] {
  const out: [number, number][] = [];
  let end = -Infinity;
  for (const b of blocks) {
    if (b.minTime < end) out.push([b.minTime, Math.min(end, b.maxTime)]);
    end = Math.max(end, b.maxTime);
  }
  return out;
}

export function timeline(s: TimelineSnapshot): string {
  const a = timeAxis(s);
  if (!a) return '<p class="none">no blocks</p>';
  const blocks = [...s.blocks].sort((x, y) => x.minTime - y.minTime || x.maxTime - y.maxTime);
  const lane = lanes(blocks);
  const nLanes = Math.max(1, ...lane.map((k) => k + 1)) + (s.wal ? 1 : 0);
  const top = 4;
  const h = top + nLanes * LANE;
  let out = axisTicks(a, 0, h); // behind the bars
  for (const g of s.gaps) {
    out += `<rect class="gap" x="${px(xOf(a, g.from))}" y="0" width="${px(Math.max(1, xOf(a, g.to) - xOf(a, g.from)))}" height="${h}"><title>hole: no block from ${esc(utc(g.from))} to ${esc(utc(g.to))}</title></rect>`;
  }
  for (const [from, to] of overlaps(blocks)) {
    out += `<rect class="overlap" x="${px(xOf(a, from))}" y="0" width="${px(Math.max(1, xOf(a, to) - xOf(a, from)))}" height="${h}"><title>blocks overlap from ${esc(utc(from))} to ${esc(utc(to))}</title></rect>`;
  }
  blocks.forEach((b, i) => {
    const x = xOf(a, b.minTime);
    const w = Math.max(1, xOf(a, b.maxTime) - x);
    const y = top + lane[i]! * LANE;
    const cls = `block ${b.head ? 'head' : `level-${Math.min(b.level ?? 0, 6)}`}${b.ok ? '' : ' bad'}`;
    const label = b.head ? 'head' : `L${b.level ?? '?'}`;
    const tip = `${b.ulid}${b.head ? ' (head)' : ''}, level ${b.level ?? '?'}: ${utc(b.minTime)} – ${utc(b.maxTime)}, ${count(b.numSeries)} series, ${count(b.numSamples)} samples${b.ok ? '' : ', errors'}`;
    out +=
      `<a href="#${blockAnchor(s.name, b.ulid)}"><rect class="${cls}" data-ulid="${esc(b.ulid)}" data-min-time="${b.minTime}" data-max-time="${b.maxTime}" x="${px(x)}" y="${y}" width="${px(w)}" height="${LANE - 6}"><title>${esc(tip)}</title></rect>` +
      (w > 28 ? `<text class="lvl" x="${px(x + 3)}" y="${y + 14}">${label}</text>` : '') +
      '</a>';
  });
  if (s.wal) {
    const x = xOf(a, s.wal.minTime);
    const w = Math.max(1, xOf(a, s.wal.maxTime + 1) - x);
    const y = top + (nLanes - 1) * LANE;
    out += `<rect class="block head wal" x="${px(x)}" y="${y}" width="${px(w)}" height="${LANE - 6}"><title>the head (WAL): ${esc(utc(s.wal.minTime))} – ${esc(utc(s.wal.maxTime))}, ${count(s.wal.numSamples)} samples</title></rect>`;
    if (w > 28) out += `<text class="lvl" x="${px(x + 3)}" y="${y + 14}">WAL</text>`;
  }
  return `<svg class="timeline" width="${TIMELINE_WIDTH}" height="${h + 18}" viewBox="0 0 ${TIMELINE_WIDTH} ${h + 18}" data-t0="${a.t0}" data-t1="${a.t1}" data-x0="${a.x0}" data-width="${a.width}" role="img" aria-label="blocks of ${esc(s.name)} over time">${out}</svg>`;
}

/** Samples per second of each block, across its time range, on the timeline's axis. */
export function samplesOverTime(s: TimelineSnapshot): string {
  const a = timeAxis(s);
  if (!a) return '';
  const h = 90;
  const rate = (n: number, from: number, to: number) => (n * 1000) / Math.max(1, to - from);
  const spans = s.blocks.map((b) => ({ from: b.minTime, to: b.maxTime, r: rate(b.numSamples, b.minTime, b.maxTime), what: b.ulid }));
  if (s.wal) spans.push({ from: s.wal.minTime, to: s.wal.maxTime + 1, r: rate(s.wal.numSamples, s.wal.minTime, s.wal.maxTime + 1), what: 'head (WAL)' });
  const max = Math.max(...spans.map((x) => x.r), 1e-9);
  let out = axisTicks(a, 0, h);
  for (const x of spans) {
    const x0 = xOf(a, x.from);
    const bh = (h - 4) * (x.r / max);
    out += `<rect class="rate" x="${px(x0)}" y="${px(h - bh)}" width="${px(Math.max(1, xOf(a, x.to) - x0))}" height="${px(bh)}"><title>${esc(x.what)}: ${x.r.toFixed(2)} samples/s</title></rect>`;
  }
  return `<figure><figcaption>Samples per second, per block (highest ${max.toFixed(2)}/s)</figcaption><svg class="samples" width="${TIMELINE_WIDTH}" height="${h + 18}" viewBox="0 0 ${TIMELINE_WIDTH} ${h + 18}">${out}</svg></figure>`;
}
