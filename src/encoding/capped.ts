// Findings capped per kind. A badly corrupted or hostile input can produce a
// finding per byte or per member, so each kind (severity and code) keeps its
// first MAX_PER_CODE findings in full and counts the rest, which close()
// reports as one summary finding per kind. Every reader that lists findings
// goes through this one place.

import type { Finding } from './errors.js';
import type { FindingCode } from './finding-codes.js';

export const MAX_PER_CODE = 20;

/** The summary of `more` findings left out (`all` counted): the default message. */
export function notListed(code: FindingCode, more: number, all: number): string {
  return `${more} more ${code} findings not listed (${all} in all)`;
}

interface Kind {
  n: number;
  severity: Finding['severity'];
  code: FindingCode;
  /** The first finding's file: the summary names it too. */
  file?: string;
}

export class CappedFindings {
  private readonly kinds = new Map<string, Kind>();

  /** `out` receives the findings kept and the summaries; it may be switched (see FindingSink.to). */
  constructor(
    public out: Finding[] = [],
    private readonly summary: (code: FindingCode, more: number, all: number) => string = notListed,
  ) {}

  /** Count `f`, and keep it while its kind is under the cap; whether it was kept. */
  push(f: Finding): boolean {
    if (!this.admit(f.severity, f.code, f.file)) return false;
    this.out.push(f);
    return true;
  }

  /** Count one finding of a kind; whether it is to be listed (so a caller builds only those). */
  admit(severity: Finding['severity'], code: FindingCode, file?: string): boolean {
    return this.count(severity, code, 1, file).n <= MAX_PER_CODE;
  }

  /** Count `n` findings of a kind without listing them (findings replayed as counts). */
  count(severity: Finding['severity'], code: FindingCode, n: number, file?: string): Kind {
    const key = `${severity} ${code}`;
    let k = this.kinds.get(key);
    if (!k) this.kinds.set(key, (k = { n: 0, severity, code, file }));
    k.n += n;
    return k;
  }

  /** How many findings of `code` were counted, of either severity. */
  counted(code: FindingCode): number {
    return (this.kinds.get(`error ${code}`)?.n ?? 0) + (this.kinds.get(`warning ${code}`)?.n ?? 0);
  }

  /**
   * One summary finding per kind that went over the cap, given to `emit` (by default added to
   * `out` as it is); then the counts start again.
   */
  close(emit: (severity: Finding['severity'], code: FindingCode, message: string, file?: string) => void = (severity, code, message, file) => this.out.push(file === undefined ? { severity, code, message } : { severity, code, file, message })): Finding[] {
    for (const k of this.kinds.values()) if (k.n > MAX_PER_CODE) emit(k.severity, k.code, this.summary(k.code, k.n - MAX_PER_CODE, k.n), k.file);
    this.kinds.clear();
    return this.out;
  }
}
