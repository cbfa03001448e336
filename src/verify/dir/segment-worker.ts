// The worker thread of verify on a directory (see split.ts): it reads and
// scans chunk segment files, one job at a time, and posts back each one's
// chunk table and findings, with the bytes it reads as progress notes.

import { serveClaims } from '../../threads/pool.js';
import { outcomeBuffers, scanSegmentFile, type SegmentJob, type SegmentOutcome } from './segment-job.js';

serveClaims<SegmentJob, SegmentOutcome>((job, note) => scanSegmentFile(job, (n) => note(n)), outcomeBuffers);
