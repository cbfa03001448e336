// Collects findings for one place (snapshot, block), capped per kind
// (encoding/capped.ts): a badly corrupted file can produce a finding per byte.

import { isTsdbError, type Finding } from '../../encoding/errors.js';
import { CappedFindings, MAX_PER_CODE } from '../../encoding/capped.js';
import { Code, type FindingCode } from '../../encoding/finding-codes.js';

export { MAX_PER_CODE };

/** What one file's check added to a sink, to be replayed for a copy of that file (a hard link). */
export interface Recorded {
  /** The first findings of each code, as they were added. */
  added: { severity: Finding['severity']; code: FindingCode; message: string; file?: string; offset?: number }[];
  /** Findings per code beyond those kept in `added`. */
  dropped: Map<FindingCode, { n: number; severity: Finding['severity']; file?: string }>;
}

export class FindingSink {
  /** Where findings go (see `to`). */
  private list: Finding[];
  private readonly capped: CappedFindings;

  constructor(
    private readonly place: { snapshot?: string; block?: string },
    list: Finding[] = [],
  ) {
    this.list = list;
    this.capped = new CappedFindings(list);
  }

  /** Errors added through this sink (the list may be shared with others). */
  errors = 0;
  private recording: Recorded | undefined;

  add(severity: Finding['severity'], code: FindingCode, message: string, file?: string, offset?: number): void {
    if (severity === 'error') this.errors++;
    if (this.capped.admit(severity, code, file)) this.push(severity, code, message, file, offset);
    const r = this.recording;
    if (r) {
      const d = r.dropped.get(code);
      if (d) d.n++;
      else if (r.added.filter((x) => x.code === code).length < MAX_PER_CODE) r.added.push({ severity, code, message, file, offset });
      else r.dropped.set(code, { n: 1, severity, file });
    }
  }

  /** Start keeping what is added (one file at a time), for `replay`. */
  record(): void {
    this.recording = { added: [], dropped: new Map() };
  }

  /** Stop keeping, and return what was added since `record`. */
  recorded(): Recorded {
    const r = this.recording ?? { added: [], dropped: new Map() };
    this.recording = undefined;
    return r;
  }

  /**
   * Send findings to `list` from now on. verify lists the findings made while
   * reading every block first, then each block's cross-check: a block checked
   * early keeps its cross-check findings apart until the end.
   */
  to(list: Finding[]): void {
    this.list = this.capped.out = list;
  }

  /** Add again what another sink recorded (the same file, reached by another path). */
  replay(r: Recorded): void {
    for (const f of r.added) this.add(f.severity, f.code, f.message, f.file, f.offset);
    for (const [code, d] of r.dropped) {
      if (d.severity === 'error') this.errors += d.n;
      this.capped.count(d.severity, code, d.n, d.file);
    }
  }

  private push(severity: Finding['severity'], code: FindingCode, message: string, file?: string, offset?: number): void {
    const f = { severity, code } as Finding;
    if (this.place.snapshot !== undefined) f.snapshot = this.place.snapshot;
    if (this.place.block !== undefined) f.block = this.place.block;
    if (file !== undefined) f.file = file;
    if (offset !== undefined) f.offset = offset;
    f.message = message;
    this.list.push(f);
  }

  error(code: FindingCode, message: string, file?: string, offset?: number): void {
    this.add('error', code, message, file, offset);
  }

  warn(code: FindingCode, message: string, file?: string, offset?: number): void {
    this.add('warning', code, message, file, offset);
  }

  /** A caught exception as a finding: TsdbErrors keep their offset; anything else is a bug we still report. */
  caught(e: unknown, code: FindingCode, file?: string): void {
    if (isTsdbError(e)) this.error(code, e.message, e.context.file ?? file, e.context.offset);
    else this.error(Code.InternalError, `unexpected ${e instanceof Error ? e.name + ': ' + e.message : String(e)} while checking ${file ?? 'the input'}`, file);
  }

  count(code: FindingCode): number {
    return this.capped.counted(code);
  }

  /** Add one summary finding per code that went over the cap. */
  close(): void {
    this.capped.close((severity, code, message, file) => this.push(severity, code, message, file));
  }
}
