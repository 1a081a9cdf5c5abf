/**
 * Charts to PNG on the server, without a browser: ECharts draws the option as an SVG string
 * (server-side rendering, no DOM), resvg (Rust, prebuilt for each platform inside its npm packages)
 * turns it into a PNG with the font shipped in assets/fonts, never a font of the machine, so every
 * picture looks the same wherever the bot runs. Nothing is kept between pictures; both libraries are
 * loaded at the first picture, not at start-up.
 */
import path from "node:path";
import { CHART_FONT, type ChartSpec } from "./charts";
import { LOCALES_DIR } from "../i18n";
import { loadLazily } from "../lib/load-lazily";

/** Wide enough to stay sharp on a phone (Telegram keeps up to 2,560 px a side). */
export const CHART_WIDTH = 1080;

/** assets/fonts beside locales/ (found the same way from src/, dist/ or a bundle). */
export const FONT_DIR = path.join(path.dirname(LOCALES_DIR), "assets", "fonts");
export const FONT_FILES = ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf"].map((f) => path.join(FONT_DIR, f));

/** The chart as an SVG document (ECharts server-side rendering). */
export async function chartSvg(spec: ChartSpec, width = CHART_WIDTH): Promise<string> {
  const echarts = await loadLazily(() => import("echarts"));
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height: spec.height });
  try {
    chart.setOption(spec.option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * The chart as a PNG. Rasterised on the main thread (about 0.1–0.2 s a picture), then the event loop
 * gets a turn before the next one: resvg's `renderAsync` (libuv's thread pool) kept about 40 MB more
 * resident memory after a few recaps (the allocator keeps a memory arena per thread), and recaps are
 * rare while memory is the bot's tight budget.
 */
export async function renderChartPng(spec: ChartSpec, width = CHART_WIDTH): Promise<Buffer> {
  const svg = await chartSvg(spec, width);
  const { Resvg } = await loadLazily(() => import("@resvg/resvg-js"));
  const png = new Resvg(svg, {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    background: "#FFFFFF",
  })
    .render()
    .asPng();
  await new Promise((resolve) => setImmediate(resolve));
  return png;
}
