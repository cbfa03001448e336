// Where a worker thread's script is. Compiled code runs from dist/, where the
// script sits next to its caller. Under vitest the caller runs from src/*.ts,
// which a worker cannot load, so the compiled copy in dist/ is used (vitest's
// global setup, test/global-setup.ts, rebuilds dist/ whenever src/ is newer).

/** The URL of the compiled script `name` next to the module at `metaUrl`. */
export function workerScript(metaUrl: string, name: string): URL {
  const u = new URL(name, metaUrl);
  if (!metaUrl.endsWith('.ts')) return u;
  const i = u.href.lastIndexOf('/src/');
  return new URL(u.href.slice(0, i) + '/dist/' + u.href.slice(i + 5));
}
