/**
 * The charts phase's process (started by bench/run.ts, compiled to plain JavaScript first, like
 * production's `node dist/main.js`): reads the month given in BENCH_CHILD_MONTH (already stored) and
 * renders all its recap pictures, first in a fresh process (the chart libraries load then), then
 * BENCH_CHILD_REPEATS more times; then builds the month's workbook. Resident memory is sampled every
 * few milliseconds while it works; it reports one JSON line on stdout.
 */
import mongoose from "mongoose";
import { performance } from "node:perf_hooks";
import { recapChartData, recapPictures, monthWorkbook } from "../src/reports/monthly-report";

export interface ChartsFigures {
  requests: number;
  pictures: number;
  pngBytes: number;
  /** The first run in this process (libraries loaded on the way), then the warm ones: all of it, and its two parts. */
  coldMs: number;
  warmMs: number[];
  /** Reading the month's figures from the database (the recap and the trend). */
  coldDataMs: number;
  warmDataMs: number[];
  /** Drawing and rasterising the pictures. */
  coldRenderMs: number;
  warmRenderMs: number[];
  /** RSS after connecting (full GC), the highest sampled while rendering, and after (full GC). */
  rssBefore: number;
  rssPeakCold: number;
  rssPeakWarm: number;
  rssAfter: number;
  workbookMs: number;
  workbookRows: number;
  workbookBytes: number;
  rssPeakWorkbook: number;
  node: string;
}

/** The highest RSS seen while `work` runs (sampled every 2 ms, and once at the end). */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number; ms: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
  const t0 = performance.now();
  try {
    const result = await work();
    const ms = performance.now() - t0;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peak, ms };
  } finally {
    clearInterval(timer);
  }
}

async function main() {
  const gc = global.gc;
  if (typeof gc !== "function") throw new Error("start with --expose-gc");
  const month = process.env.BENCH_CHILD_MONTH!;
  const repeats = Number(process.env.BENCH_CHILD_REPEATS ?? 3);
  await mongoose.connect(process.env.MONGODB_URI!, { serverSelectionTimeoutMS: 10_000 });
  const parts: { data: number; render: number }[] = [];
  const render = async () => {
    const t0 = performance.now();
    const data = await recapChartData(month);
    const t1 = performance.now();
    const pictures = await recapPictures(data, "id");
    parts.push({ data: t1 - t0, render: performance.now() - t1 });
    return pictures;
  };

  gc();
  const rssBefore = process.memoryUsage.rss();
  const cold = await peakRss(render);
  const warm: number[] = [];
  let rssPeakWarm = 0;
  for (let i = 0; i < repeats; i++) {
    const run = await peakRss(render);
    warm.push(run.ms);
    rssPeakWarm = Math.max(rssPeakWarm, run.peak);
  }
  gc();
  const rssAfter = process.memoryUsage.rss();
  const book = await peakRss(() => monthWorkbook({ month, includePhone: true, locale: "id" }));
  const data = await recapChartData(month);
  const figures: ChartsFigures = {
    requests: data.recap.total,
    pictures: cold.result.length,
    pngBytes: cold.result.reduce((n, p) => n + p.png.length, 0),
    coldMs: cold.ms,
    warmMs: warm,
    coldDataMs: parts[0].data,
    warmDataMs: parts.slice(1).map((p) => p.data),
    coldRenderMs: parts[0].render,
    warmRenderMs: parts.slice(1).map((p) => p.render),
    rssBefore,
    rssPeakCold: cold.peak,
    rssPeakWarm,
    rssAfter,
    workbookMs: book.ms,
    workbookRows: book.result.rows,
    workbookBytes: book.result.content.length,
    rssPeakWorkbook: book.peak,
    node: process.version,
  };
  await mongoose.disconnect();
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
