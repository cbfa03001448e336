// A horizontal bar chart as inline SVG: one bar per entry, longest first as
// given (analyze's sections are already sorted and cut to the top N).

import { count, esc, px } from './svg.js';

export interface Bar {
  name: string;
  value: number;
}

const ROW = 18;
const LABEL = 300;
const WIDTH = 760;

export function barChart(title: string, bars: readonly Bar[], unit = ''): string {
  if (bars.length === 0) return `<figure><figcaption>${esc(title)}</figcaption><p class="none">none</p></figure>`;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const h = bars.length * ROW + 4;
  let rows = '';
  bars.forEach((b, i) => {
    const y = i * ROW + 2;
    const w = Math.max(1, ((WIDTH - LABEL - 90) * b.value) / max);
    const name = b.name.length > 48 ? b.name.slice(0, 47) + '…' : b.name;
    rows +=
      `<g class="bar"><title>${esc(b.name)}: ${esc(count(b.value))}${esc(unit)}</title>` +
      `<text class="label" x="${LABEL - 6}" y="${y + 13}">${esc(name)}</text>` +
      `<rect x="${LABEL}" y="${y}" width="${px(w)}" height="${ROW - 4}"/>` +
      `<text class="value" x="${px(LABEL + w + 4)}" y="${y + 13}">${esc(count(b.value))}${esc(unit)}</text></g>`;
  });
  return `<figure><figcaption>${esc(title)}</figcaption><svg class="bars" width="${WIDTH}" height="${h}" viewBox="0 0 ${WIDTH} ${h}" role="img" aria-label="${esc(title)}">${rows}</svg></figure>`;
}
