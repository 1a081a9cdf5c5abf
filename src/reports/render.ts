/**
 * Charts to PNG on the server, without a browser: ECharts draws the option as an SVG string
 * (server-side rendering, no DOM), resvg (Rust, prebuilt for each platform inside its npm packages)
 * turns it into a PNG with the font shipped in assets/fonts, never a font of the machine, so every
 * picture looks the same wherever the bot runs. Nothing is kept between pictures; both libraries are
 * loaded at the first picture, not at start-up.
 */
import path from "node:path";
import { CHART_FONT, type ChartSpec } from "./charts";

/** Wide enough to stay sharp on a phone (Telegram keeps up to 2,560 px a side). */
export const CHART_WIDTH = 1080;

export const FONT_DIR = path.resolve(__dirname, "..", "..", "assets", "fonts");
export const FONT_FILES = ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf"].map((f) => path.join(FONT_DIR, f));

/** The chart as an SVG document (ECharts server-side rendering). */
export async function chartSvg(spec: ChartSpec, width = CHART_WIDTH): Promise<string> {
  const echarts = await import("echarts");
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height: spec.height });
  try {
    chart.setOption(spec.option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The chart as a PNG (rasterised off the event loop, in libuv's thread pool). */
export async function renderChartPng(spec: ChartSpec, width = CHART_WIDTH): Promise<Buffer> {
  const svg = await chartSvg(spec, width);
  const { renderAsync } = await import("@resvg/resvg-js");
  const image = await renderAsync(svg, {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    background: "#FFFFFF",
  });
  return image.asPng();
}
