// vitest global setup: build dist/ when src/ is newer (see helpers/build.ts).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './helpers/build.js';

export default function setup(): void {
  buildIfStale(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
}
