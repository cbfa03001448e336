// Series cut into remote write requests of at most `batchSamples` samples.
// A series is sent in time order: its samples fill the current batch and go
// on in the next one, and a batch that goes on with the previous batch's last
// series says so (`continues`), so that the sender can hold it until that
// batch is done. Within one TimeSeries message the samples are all floats or
// all histograms: the receiver appends a message's floats before its
// histograms (storage/remote/write_handler.go), so a series that changes kind
// gets one message per run of one kind, in order.

import type { SampleList } from '../chunkenc/sample-list.js';
import { floatSamples, histogramSamples, labelMsgs, type LabelMsg, type TimeSeriesMsg } from './encode.js';

export interface SeriesSamples {
  labels: string[];
  /** Read before the next series is asked for (it may be reused). */
  samples: SampleList;
}

export interface Batch {
  /** Position in the run, from 0. */
  index: number;
  timeseries: TimeSeriesMsg[];
  /** The label sets of the series it holds (some maybe in part), in order. */
  series: string[][];
  floats: number;
  histograms: number;
  /** Whether its first series goes on from the previous batch. */
  continues: boolean;
}

const newBatch = (index: number, continues: boolean): Batch => ({ index, timeseries: [], series: [], floats: 0, histograms: 0, continues });

/** The batches of the series, in order; each is yielded once full (the last when the series end). */
export function* batches(series: Iterable<SeriesSamples>, batchSamples: number): Generator<Batch> {
  if (!(Number.isInteger(batchSamples) && batchSamples >= 1)) throw new RangeError(`batchSamples must be a whole number of at least 1, not ${batchSamples}`);
  let b = newBatch(0, false);
  for (const { labels, samples: s } of series) {
    let labelMsg: LabelMsg[] | undefined;
    let i = 0;
    while (i < s.n) {
      if (b.floats + b.histograms === batchSamples) {
        yield b;
        b = newBatch(b.index + 1, true);
      }
      if (b.series[b.series.length - 1] !== labels) b.series.push(labels);
      // One run of one kind, as far as the batch has room.
      const hist = s.isHistogram(i);
      const room = i + batchSamples - b.floats - b.histograms;
      let end = i + 1;
      while (end < s.n && end < room && s.isHistogram(end) === hist) end++;
      labelMsg ??= labelMsgs(labels);
      if (hist) {
        b.timeseries.push({ labels: labelMsg, histograms: histogramSamples(s, i, end) });
        b.histograms += end - i;
      } else {
        b.timeseries.push({ labels: labelMsg, samples: floatSamples(s, i, end) });
        b.floats += end - i;
      }
      i = end;
    }
    // A full batch is sent before the next series starts, so that `continues` is only set when one goes on.
    if (b.floats + b.histograms === batchSamples) {
      yield b;
      b = newBatch(b.index + 1, false);
    }
  }
  if (b.floats + b.histograms > 0) yield b;
}
