// The head of a data dir (wal/, its checkpoint, chunks_head/): replayed as
// Prometheus replays it on start-up, with what it holds and what went wrong.
// A torn last record is a warning (Prometheus repairs it); corruption
// anywhere else is an error naming the segment and offset.

import type { Finding } from '../../encoding/errors.js';
import { replayHead, type DataDirFiles } from '../../wal/head.js';

export interface HeadSummary {
  numSeries: number;
  numSamples: number;
  numHistogramSamples: number;
  minTime: number | null;
  maxTime: number | null;
  ok: boolean;
}

/** Replay the head; `minValidTime` is the newest block's maxTime, as Prometheus uses it. */
export function checkHead(files: DataDirFiles, minValidTime: number, snapshot: string, findings: Finding[]): HeadSummary {
  const head = replayHead(files, { minValidTime });
  let errors = 0;
  for (const f of head.findings) {
    if (f.severity === 'error') errors++;
    findings.push({ ...f, snapshot }); // file is relative to the data dir (wal/00000003)
  }
  const st = head.stats();
  return {
    numSeries: st.numSeries,
    numSamples: st.numSamples,
    numHistogramSamples: st.numHistogramSamples,
    minTime: Number.isFinite(st.minTime) ? st.minTime : null,
    maxTime: Number.isFinite(st.maxTime) ? st.maxTime : null,
    ok: errors === 0,
  };
}
