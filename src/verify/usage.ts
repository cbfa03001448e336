// The usage errors of verify: inputs that cannot be read are named with one
// plain reason. Kept apart from the rest so a worker thread loads nothing
// else with it (the WAL code loads a native addon, which must stay out of
// worker threads: Node 20 crashes at exit after terminating one that did).

import type * as fs from 'node:fs';
import { ErrorCode, TsdbError } from '../encoding/errors.js';

/** What kind of file `st` is, when it is not one verify reads. */
export function special(st: fs.Stats): string | undefined {
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return undefined;
}

/** Usage errors carry the path and one plain reason. */
export function unreadable(input: string, e: unknown): TsdbError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'a path component is not a directory',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'the path is too long',
    ENXIO: 'no such device (a socket?)',
    EIO: 'input/output error',
  };
  const reason = (code && why[code]) ?? (e instanceof Error ? e.message : String(e));
  return new TsdbError(code === 'ENOENT' || code === 'ENOTDIR' ? ErrorCode.NotFound : ErrorCode.BadInput, `${input}: cannot read it: ${reason}`, {}, { cause: e });
}

export function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

export function errnoPath(e: NodeJS.ErrnoException): string | undefined {
  return typeof e.path === 'string' ? e.path : undefined;
}
