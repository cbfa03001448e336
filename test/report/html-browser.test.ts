// The report page in a real browser (Debian's Chromium, headless, driven by
// playwright-core): it renders with no console error and no network request,
// holds one bar per block, and the bars sit where the blocks' times put them,
// by their boxes in the DOM and by the colours of a screenshot.
// Skipped (with a note) where /usr/bin/chromium is missing, except under CI=true.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/prometheus.js';
import { decodePng } from '../helpers/png.js';

const CHROMIUM = '/usr/bin/chromium';
const have = fs.existsSync(CHROMIUM);
const ci = process.env.CI === 'true';
if (!have && !ci) console.warn(`SKIPPED test/report/html-browser.test.ts: ${CHROMIUM} is missing (apt-get install -y chromium)`);

it.runIf(ci)('Chromium is installed under CI', () => {
  expect(have, `${CHROMIUM} is missing; .ci/run installs it`).toBe(true);
});

describe.runIf(have)('report page in Chromium', () => {
  let work: string;
  let close: () => Promise<void>;
  let page: import('playwright-core').Page;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'report-browser-'));
    const ctx = await chromium.launchPersistentContext(path.join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 900 },
      deviceScaleFactor: 1,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    close = () => ctx.close();
    page = await ctx.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
  }, 60_000);
  afterAll(async () => {
    await close?.();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** The report of a fixture, opened; the requests the page made. */
  async function open(fixture: string): Promise<string[]> {
    const out = path.join(work, fixture + '.html');
    const r = await runCli(['report', fixturePath(fixture), '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    requests.length = errors.length = 0;
    const url = pathToFileURL(out).href;
    await page.goto(url, { waitUntil: 'load' });
    return requests.filter((u) => u !== url);
  }

  it('snapshot-full: no console error, no request, one bar per block where its times put it', async () => {
    expect(await open('snapshot-full.tgz')).toEqual([]);
    expect(errors).toEqual([]);
    const svg = page.locator('svg.timeline').first();
    const axis = await svg.evaluate((e) => ({ ...e.dataset, left: e.getBoundingClientRect().left, top: e.getBoundingClientRect().top }));
    const [t0, t1, x0, width] = [axis.t0, axis.t1, axis.x0, axis.width].map(Number) as [number, number, number, number];
    const bars = await page.$$eval('svg.timeline rect.block[data-ulid]', (els) =>
      els.map((e) => {
        const b = e.getBoundingClientRect();
        return { ulid: e.getAttribute('data-ulid')!, min: Number(e.getAttribute('data-min-time')), max: Number(e.getAttribute('data-max-time')), left: b.left, right: b.right, y: b.bottom - 3, fill: getComputedStyle(e).fill, head: e.classList.contains('head') };
      }),
    );
    const blocks = [
      ['01M81V49BW04PDGEAVVMHW9HVW', 1795261080000, 1795283940001],
      ['01M81V4972GQCM9WTNQ9F9SJEZ', 1795284000000, 1795305540001],
      ['01M81V49973SAKH6H329SWWYDN', 1795305600000, 1795327140001],
      ['01M81V435F3FDT7KYM95FWRKSW', 1795327200000, 1795334340001],
      ['01M81V437311AY8K10ZBCVFY88', 1795334400000, 1795341540001],
      ['01M81V4397ER1SCEFRK7VM70W2', 1795341600000, 1795347480001],
      ['01M81V70BWRRN49VQ1VV6H21P4', 1795354736148, 1795358425149],
    ] as const;
    expect(bars.map((b) => [b.ulid, b.min, b.max])).toEqual(blocks.map((b) => [...b]));
    expect(bars.filter((b) => b.head).map((b) => b.ulid)).toEqual(['01M81V70BWRRN49VQ1VV6H21P4']);
    const xAt = (t: number) => axis.left + x0 + ((t - t0) / (t1 - t0)) * width;
    for (const b of bars) {
      expect(Math.abs(b.left - xAt(b.min)), `${b.ulid} left`).toBeLessThan(1);
      expect(Math.abs(b.right - xAt(b.max)), `${b.ulid} right`).toBeLessThan(1);
    }
    // The screenshot: each bar's colour runs from its minTime to its maxTime on the axis (read below its label).
    const png = decodePng(await page.screenshot({ fullPage: true }));
    const rgb = (fill: string) => fill.match(/\d+/g)!.slice(0, 3).map(Number);
    for (const b of bars) {
      const want = rgb(b.fill);
      const [l, r] = [xAt(b.min), xAt(b.max)];
      for (const x of [l + 2, l + (r - l) * 0.75, r - 2]) {
        expect(png.at(Math.round(x), Math.round(b.y)).slice(0, 3), `${b.ulid} at x=${Math.round(x)}`).toEqual(want);
      }
    }
    // The 2h hole before the head block is marked, and each finding links to its block.
    expect(await page.locator('svg.timeline rect.gap').count()).toBe(1);
    expect(await page.locator('svg.bars').count()).toBeGreaterThan(3);
  }, 60_000);

  it('overlap.tgz: overlapping blocks in lanes of their own, the overlap marked', async () => {
    expect(await open('overlap.tgz')).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.locator('svg.timeline rect.block[data-ulid]').count()).toBe(5);
    expect(await page.locator('svg.timeline rect.overlap').count()).toBeGreaterThan(0);
    const ys = new Set(await page.$$eval('svg.timeline rect.block[data-ulid]', (els) => els.map((e) => e.getAttribute('y'))));
    expect(ys.size).toBeGreaterThan(1);
  }, 60_000);
});
