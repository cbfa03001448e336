// Series refs matching a set of matchers in one block, computed from
// postings lists (sorted typed arrays), never by scanning series.

import type { IndexReader } from '../index/reader.js';
import { intersect, merge, subtract } from '../index/postings.js';
import type { Matcher } from './matchers.js';

function postingsMatching(ix: IndexReader, m: Matcher, want: boolean): Uint32Array {
  const lists: Uint32Array[] = [];
  for (const [value, offset] of ix.postingsForName(m.name)) {
    if (m.matches(value) === want) lists.push(ix.readPostingsAt(offset));
  }
  return merge(lists);
}

export function selectPostings(ix: IndexReader, matchers: readonly Matcher[]): Uint32Array {
  let result: Uint32Array | undefined;
  // Matchers that need a value first: they shrink the set fastest.
  for (const m of matchers) {
    if (m.matches('')) continue;
    const p = postingsMatching(ix, m, true);
    result = result ? intersect(result, p) : p;
    if (result.length === 0) return result;
  }
  for (const m of matchers) {
    if (!m.matches('')) continue;
    // Series lacking the label match too: take away only those whose value does not match.
    result = subtract(result ?? ix.allPostings(), postingsMatching(ix, m, false));
  }
  return result ?? ix.allPostings();
}
