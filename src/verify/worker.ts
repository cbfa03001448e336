// The worker thread of verify on a directory (see verify-dir.ts): it checks
// whole blocks, one job at a time, and posts back plain findings and
// summaries, with the bytes it reads as progress notes.

import { checkBlockFiles, type BlockJob } from './block-files.js';
import type { BlockOutcome } from './collect.js';
import { serveJobs } from './pool.js';

serveJobs<BlockJob, BlockOutcome>((job, note) => checkBlockFiles(job, (n) => note(n), true));
