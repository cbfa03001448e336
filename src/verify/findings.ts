// Collects findings for one place (snapshot, block). A badly corrupted file
// can produce a finding per byte, so each code keeps the first few in full
// and counts the rest, which close() reports as one summary finding.

import { isTsdbError, type Finding } from '../encoding/errors.js';

export const MAX_PER_CODE = 20;

export class FindingSink {
  readonly list: Finding[];
  private readonly counts = new Map<string, { n: number; severity: Finding['severity']; file?: string }>();

  constructor(
    private readonly place: { snapshot?: string; block?: string },
    list: Finding[] = [],
  ) {
    this.list = list;
  }

  /** Errors added through this sink (the list may be shared with others). */
  errors = 0;

  add(severity: Finding['severity'], code: string, message: string, file?: string, offset?: number): void {
    if (severity === 'error') this.errors++;
    const c = this.counts.get(code) ?? { n: 0, severity, file };
    c.n++;
    this.counts.set(code, c);
    if (c.n <= MAX_PER_CODE) this.push(severity, code, message, file, offset);
  }

  private push(severity: Finding['severity'], code: string, message: string, file?: string, offset?: number): void {
    const f = { severity, code } as Finding;
    if (this.place.snapshot !== undefined) f.snapshot = this.place.snapshot;
    if (this.place.block !== undefined) f.block = this.place.block;
    if (file !== undefined) f.file = file;
    if (offset !== undefined) f.offset = offset;
    f.message = message;
    this.list.push(f);
  }

  error(code: string, message: string, file?: string, offset?: number): void {
    this.add('error', code, message, file, offset);
  }

  warn(code: string, message: string, file?: string, offset?: number): void {
    this.add('warning', code, message, file, offset);
  }

  /** A caught exception as a finding: TsdbErrors keep their offset; anything else is a bug we still report. */
  caught(e: unknown, code: string, file?: string): void {
    if (isTsdbError(e)) this.error(code, e.message, e.context.file ?? file, e.context.offset);
    else this.error('internal-error', `unexpected ${e instanceof Error ? e.name + ': ' + e.message : String(e)} while checking ${file ?? 'the input'}`, file);
  }

  count(code: string): number {
    return this.counts.get(code)?.n ?? 0;
  }

  hasErrors(): boolean {
    return this.errors > 0;
  }

  /** Add one summary finding per code that went over the cap. */
  close(): void {
    for (const [code, c] of this.counts) {
      if (c.n > MAX_PER_CODE) this.push(c.severity, code, `${c.n - MAX_PER_CODE} more ${code} findings not listed (${c.n} in all)`, c.file);
    }
    this.counts.clear();
  }
}
