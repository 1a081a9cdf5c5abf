/**
 * The recap's pictures, as ECharts options: each chart is one function of the month's figures that
 * returns its option (or null when it has nothing to show), listed in `CHARTS`. Adding a chart (the
 * share answered within the deadline, the average rating, once the service levels exist) is one
 * function and one entry. Rendering them to PNG is render.ts's job.
 */
import type { EChartsOption } from "echarts";
import type { Recap, MonthTypeCounts } from "../domain/recap";
import { REQUEST_TYPES, type RequestType } from "../vocabulary/request-types";
import { STATUSES, type Status } from "../vocabulary/statuses";
import { KECAMATAN } from "../vocabulary/kecamatan";
import { monthName, monthShortName } from "../lib/time";
import type { PlainT } from "./labels";

/** What the charts are drawn from: the month's recap and the months before it. */
export interface ChartData {
  recap: Recap;
  trend: MonthTypeCounts[];
}

export interface ChartSpec {
  /** Becomes the file name: `rekap-<month>-<id>.png`. */
  id: string;
  /** Sent with the picture (plain text). */
  caption: string;
  /** Picture height in px (the width is the renderer's, ≥ 1,080). */
  height: number;
  option: EChartsOption;
}

export interface ChartContext {
  t: PlainT;
  locale: string;
}

export type ChartDefinition = (data: ChartData, c: ChartContext) => ChartSpec | null;

/** The font shipped in assets/fonts (render.ts loads it; no system font is used). */
export const CHART_FONT = "Noto Sans";

const STATUS_COLORS: Record<Status, string> = {
  diterima: "#90A4AE",
  ditelaah: "#FFB300",
  perlu_info: "#FB8C00",
  ditindaklanjuti: "#1E88E5",
  selesai: "#43A047",
  ditolak: "#E53935",
};

const TYPE_COLORS: Record<RequestType, string> = {
  produksi: "#8E24AA",
  kemasan: "#1E88E5",
  pemasaran: "#43A047",
  modal: "#FB8C00",
  pelatihan: "#00897B",
};

/** Room for a sentra's name left of its bar (longer names are cut with …). */
const NAME_WIDTH = 420;

/** How many sentras get a bar of their own; the others are summed into one. */
export const SENTRA_BARS = 12;

/** Large type for a phone screen: the picture is shown about 1/3 of its size. */
const FONT = { title: 44, subtitle: 28, axis: 26, legend: 26, label: 24 };

function frame(title: string, subtitle: string): EChartsOption {
  return {
    animation: false,
    backgroundColor: "#FFFFFF",
    textStyle: { fontFamily: CHART_FONT, fontSize: FONT.axis, color: "#212121" },
    title: {
      text: title,
      subtext: subtitle,
      left: 40,
      top: 28,
      itemGap: 14,
      // A title too long for the picture is cut, never drawn past its edge.
      textStyle: { fontFamily: CHART_FONT, fontSize: FONT.title, fontWeight: "bold", color: "#212121", width: 1000, overflow: "truncate" },
      subtextStyle: { fontFamily: CHART_FONT, fontSize: FONT.subtitle, color: "#616161" },
    },
  };
}

const legend = (data: string[]): EChartsOption["legend"] => ({
  data,
  bottom: 24,
  left: 40,
  right: 40,
  itemWidth: 40,
  itemHeight: 26,
  itemGap: 36,
  textStyle: { fontFamily: CHART_FONT, fontSize: FONT.legend },
});

const valueAxis = { type: "value" as const, minInterval: 1, axisLabel: { fontSize: FONT.axis } };

/** A count on a bar segment, hidden when zero. */
const countLabel = (color: string) => ({
  show: true,
  fontSize: FONT.label,
  fontWeight: "bold" as const,
  color,
  formatter: (p: { value?: unknown }) => (Number(p.value) > 0 ? String(p.value) : ""),
});

/** This month's requests by type, each bar split by status. */
export const byTypeAndStatus: ChartDefinition = ({ recap }, { t, locale }) => {
  if (recap.total === 0) return null;
  const totals = REQUEST_TYPES.map((type) => STATUSES.reduce((n, s) => n + recap.byTypeStatus[type][s], 0));
  const title = t("reports.chart.by_type_title", { month: monthName(recap.month, locale) });
  return {
    id: "jenis-status",
    caption: title,
    height: 1080,
    option: {
      ...frame(title, t("reports.chart.total_subtitle", { total: recap.total })),
      grid: { left: 40, right: 60, top: 190, bottom: 200, containLabel: true },
      legend: legend(STATUSES.map((s) => t(`reports.chart.status.${s}`))),
      xAxis: valueAxis,
      yAxis: {
        type: "category",
        inverse: true,
        data: REQUEST_TYPES.map((type, i) => t("reports.chart.label_count", { label: t(`labels.type.${type}`), count: totals[i] })),
        axisLabel: { fontSize: FONT.axis, width: 340, overflow: "break" },
      },
      series: STATUSES.map((s) => ({
        type: "bar",
        name: t(`reports.chart.status.${s}`),
        stack: "total",
        barWidth: "60%",
        itemStyle: { color: STATUS_COLORS[s] },
        label: countLabel("#FFFFFF"),
        data: REQUEST_TYPES.map((type) => recap.byTypeStatus[type][s]),
      })),
    },
  };
};

/** This month's requests per sentra (the largest first) and per kecamatan, one above the other. */
export const bySentraAndKecamatan: ChartDefinition = ({ recap }, { t, locale }) => {
  if (recap.total === 0) return null;
  const named = recap.bySentra.slice(0, SENTRA_BARS);
  const rest = recap.bySentra.slice(SENTRA_BARS);
  const sentraRows = named.map((s) => ({ name: s.name ?? t("reports.no_sentra"), count: s.count }));
  if (rest.length) sentraRows.push({ name: t("reports.chart.other_sentras", { n: rest.length }), count: rest.reduce((n, s) => n + s.count, 0) });
  const barHeight = 64;
  const top = 190;
  const sentraHeight = sentraRows.length * barHeight + 40;
  const kecTop = top + sentraHeight + 110;
  const kecHeight = KECAMATAN.length * barHeight + 40;
  const height = kecTop + kecHeight + 80;
  const sectionTitle = (text: string, topPx: number) => ({
    text,
    left: 40,
    top: topPx,
    textStyle: { fontFamily: CHART_FONT, fontSize: FONT.subtitle + 4, fontWeight: "bold" as const },
  });
  const title = t("reports.chart.by_place_title", { month: monthName(recap.month, locale) });
  const frameTitle = frame(title, t("reports.chart.total_subtitle", { total: recap.total })).title;
  return {
    id: "sentra-kecamatan",
    caption: title,
    height,
    option: {
      ...frame("", ""),
      title: [frameTitle as object, sectionTitle(t("reports.chart.sentra_section"), top - 50), sectionTitle(t("reports.chart.kecamatan_section"), kecTop - 50)],
      // Both grids start at the same x, so their bars compare at a glance.
      grid: [
        { left: 40 + NAME_WIDTH + 20, right: 80, top, height: sentraHeight },
        { left: 40 + NAME_WIDTH + 20, right: 80, top: kecTop, height: kecHeight },
      ],
      xAxis: [
        { ...valueAxis, gridIndex: 0 },
        { ...valueAxis, gridIndex: 1 },
      ],
      yAxis: [
        { type: "category", gridIndex: 0, inverse: true, data: sentraRows.map((r) => r.name), axisLabel: { fontSize: FONT.axis, width: NAME_WIDTH, overflow: "truncate" } },
        { type: "category", gridIndex: 1, inverse: true, data: [...KECAMATAN], axisLabel: { fontSize: FONT.axis, width: NAME_WIDTH, overflow: "truncate" } },
      ],
      series: [
        {
          type: "bar",
          xAxisIndex: 0,
          yAxisIndex: 0,
          barWidth: "65%",
          itemStyle: { color: "#1E88E5" },
          label: { ...countLabel("#212121"), position: "right" },
          data: sentraRows.map((r) => r.count),
        },
        {
          type: "bar",
          xAxisIndex: 1,
          yAxisIndex: 1,
          barWidth: "65%",
          itemStyle: { color: "#00897B" },
          label: { ...countLabel("#212121"), position: "right" },
          data: KECAMATAN.map((k) => recap.byKecamatan[k] ?? 0),
        },
      ],
    },
  };
};

/** The last months' requests by type, one line each. */
export const trendByType: ChartDefinition = ({ trend }, { t, locale }) => {
  if (trend.length === 0 || trend.every((m) => m.total === 0)) return null;
  const first = trend[0].month;
  const last = trend[trend.length - 1].month;
  const title = t("reports.chart.trend_title", { months: trend.length });
  return {
    id: "tren",
    caption: title,
    height: 1080,
    option: {
      ...frame(title, t("reports.chart.trend_subtitle", { from: monthName(first, locale), to: monthName(last, locale), total: trend.reduce((n, m) => n + m.total, 0) })),
      grid: { left: 40, right: 60, top: 190, bottom: 220, containLabel: true },
      legend: legend(REQUEST_TYPES.map((type) => t(`labels.type.${type}`))),
      xAxis: { type: "category", boundaryGap: true, data: trend.map((m) => monthShortName(m.month, locale)), axisLabel: { fontSize: FONT.axis } },
      yAxis: valueAxis,
      series: REQUEST_TYPES.map((type) => ({
        type: "line",
        name: t(`labels.type.${type}`),
        symbol: "circle",
        symbolSize: 16,
        lineStyle: { width: 5, color: TYPE_COLORS[type] },
        itemStyle: { color: TYPE_COLORS[type] },
        data: trend.map((m) => m.byType[type]),
      })),
    },
  };
};

/** Every chart of the recap, in the order they are sent. */
type BarLabel = (p: { value?: unknown; dataIndex?: number }) => string;

/** A horizontal bar series on grid `index` (charts with two panels side by side), each bar labelled at its end. */
const sideBars = (index: number, color: string, formatter: BarLabel, data: number[]) => ({
  type: "bar" as const,
  xAxisIndex: index,
  yAxisIndex: index,
  barWidth: "60%",
  itemStyle: { color },
  label: { show: true, position: "right" as const, fontSize: FONT.label, formatter },
  data,
});

/**
 * The service levels of the month's requests per type: the share closed within the working-day
 * target (of those closed) and the members' average rating, side by side. Nothing when no request
 * was closed or rated yet.
 */
export const serviceByType: ChartDefinition = ({ recap }, { t, locale }) => {
  const figures = REQUEST_TYPES.map((type) => recap.service.byType[type]);
  if (figures.every((f) => f.closed === 0 && f.rated === 0)) return null;
  const title = t("reports.chart.service_title", { month: monthName(recap.month, locale) });
  const share = figures.map((f) => (f.closed > 0 ? Math.round((100 * f.onTime) / f.closed) : 0));
  const stars = figures.map((f) => (f.rated > 0 ? Math.round((10 * f.starsTotal) / f.rated) / 10 : 0));
  const labels = REQUEST_TYPES.map((type) => t(`labels.type.${type}`));
  const axis = (data: string[]) => ({ type: "category" as const, inverse: true, data, axisLabel: { fontSize: FONT.axis, width: 300, overflow: "break" as const } });
  const percent: BarLabel = (p) => (figures[p.dataIndex ?? 0].closed > 0 ? `${String(p.value)}%` : "—");
  const rating: BarLabel = (p) => (figures[p.dataIndex ?? 0].rated > 0 ? Number(p.value).toLocaleString(locale === "id" ? "id-ID" : "en-GB") : "—");
  return {
    id: "layanan",
    caption: title,
    height: 1200,
    option: {
      ...frame(title, t("reports.chart.service_subtitle")),
      grid: [
        { left: 40, right: 120, top: 220, height: 380, containLabel: true },
        { left: 40, right: 120, top: 720, height: 380, containLabel: true },
      ],
      xAxis: [
        { ...valueAxis, gridIndex: 0, max: 100, name: t("reports.chart.on_time_axis"), nameLocation: "middle", nameGap: 48, nameTextStyle: { fontSize: FONT.axis } },
        { ...valueAxis, gridIndex: 1, max: 5, minInterval: 1, name: t("reports.chart.rating_axis"), nameLocation: "middle", nameGap: 48, nameTextStyle: { fontSize: FONT.axis } },
      ],
      yAxis: [
        { ...axis(labels), gridIndex: 0 },
        { ...axis(labels), gridIndex: 1 },
      ],
      series: [sideBars(0, "#43A047", percent, share), sideBars(1, "#FFB300", rating, stars)],
    },
  };
};

export const CHARTS: readonly ChartDefinition[] = [byTypeAndStatus, bySentraAndKecamatan, trendByType, serviceByType];
