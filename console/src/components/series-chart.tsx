// A sensor's values over time (uPlot, canvas: cheap with thousands of points on an IOC wall),
// with the alarm thresholds drawn as dashed lines and, optionally, an event's time as a marker.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { IOC_TIME_ZONE, formatDateTime, formatNumber, formatTick } from '../format.js';
import { useConsole } from '../console-context.js';
import type { Threshold } from '../sensors/catalog.js';

export interface ChartSeries {
  /** Bucket start times, epoch ms. */
  timesMs: number[];
  values: (number | null)[];
  /** Band around the values (min/max per bucket), optional. */
  min?: (number | null)[];
  max?: (number | null)[];
}

export interface SeriesChartProps {
  title: string;
  unit: string;
  data: ChartSeries;
  fromMs: number;
  toMs: number;
  thresholds?: Threshold[];
  markerMs?: number;
  height?: number;
}

const THRESHOLD_COLOURS: Record<string, string> = { critical: '#7a0010', high: '#c0392b', medium: '#d68910', low: '#b7950b', info: '#5d6d7e' };

export function SeriesChart({ title, unit, data, fromMs, toMs, thresholds = [], markerMs, height = 180 }: SeriesChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const { t, lang } = useConsole();
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const xs = data.timesMs.map((ms) => ms / 1000);
    const values = [...data.values, ...(data.max ?? []), ...thresholds.map((t) => t.value)].filter((v): v is number => v !== null && Number.isFinite(v));
    const lo = values.length ? Math.min(...values) : 0;
    const hi = values.length ? Math.max(...values) : 1;
    const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
    // Sparse data (a new sensor, a link that was down) would draw nothing between gaps: show the points.
    const present = data.values.filter((v) => v !== null).length;
    const series: uPlot.Series[] = [
      { label: t('chart.time'), value: (_u, v) => (v === null ? '—' : formatDateTime(v * 1000, lang)) },
      {
        label: unit ? `${title} (${unit})` : title,
        stroke: '#3aa0dc',
        width: 2,
        spanGaps: false,
        points: { show: present < 60, size: 6, fill: '#3aa0dc' },
        value: (_u, v) => formatNumber(v, 2),
      },
    ];
    const aligned: uPlot.AlignedData = [xs, data.values as number[]];
    if (data.min && data.max) {
      series.push(
        { label: t('chart.min'), stroke: 'rgba(58,160,220,0.35)', width: 1, points: { show: false }, value: (_u, v) => formatNumber(v, 2) },
        { label: t('chart.max'), stroke: 'rgba(58,160,220,0.35)', width: 1, points: { show: false }, value: (_u, v) => formatNumber(v, 2) },
      );
      (aligned as (number | null)[][]).push(data.min, data.max);
    }
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), IOC_TIME_ZONE),
      scales: { x: { time: true, range: () => [fromMs / 1000, toMs / 1000] }, y: { range: () => [lo - pad, hi + pad] } },
      axes: [
        {
          stroke: '#8fa3b5',
          grid: { stroke: '#2a3a4a' },
          ticks: { stroke: '#2a3a4a' },
          // uPlot's own labels are US-style (8:30pm, 11/25/26): the IOC reads 24-hour Vietnamese time.
          values: (_u, ticks) => {
            const spansDays = toMs - fromMs > 86_400_000;
            return ticks.map((ts) => formatTick(ts * 1000, lang, spansDays));
          },
          size: toMs - fromMs > 86_400_000 ? 48 : 32,
        },
        {
          stroke: '#8fa3b5',
          grid: { stroke: '#2a3a4a' },
          ticks: { stroke: '#2a3a4a' },
          size: 56,
          values: (_u, ticks) => ticks.map((v) => String(+v.toFixed(2))),
        },
      ],
      series,
      legend: { live: true },
      hooks: { draw: [(u) => drawOverlays(u, thresholds, markerMs)] },
    };
    const plot = new uPlot(opts, aligned, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, fromMs, toMs, thresholds, markerMs, height, title, unit, lang]);
  return <div class="series-chart" ref={host} data-chart={title} />;
}

function drawOverlays(u: uPlot, thresholds: Threshold[], markerMs: number | undefined): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
  // uPlot leaves the axis labels' alignment on the context.
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  for (const t of thresholds) {
    const y = u.valToPos(t.value, 'y', true);
    if (y < bbox.top || y > bbox.top + bbox.height) continue;
    ctx.strokeStyle = THRESHOLD_COLOURS[t.severity ?? 'info'] ?? '#5d6d7e';
    ctx.fillStyle = ctx.strokeStyle;
    ctx.setLineDash(t.role === 'raise' ? [8 * devicePixelRatio, 4 * devicePixelRatio] : [2 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.lineWidth = devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
    ctx.fillText(`${t.ruleId} ${t.role === 'raise' ? '▲' : '▽'} ${t.value}`, bbox.left + 4 * devicePixelRatio, y - 3 * devicePixelRatio);
  }
  if (markerMs !== undefined) {
    const x = u.valToPos(markerMs / 1000, 'x', true);
    ctx.setLineDash([]);
    ctx.strokeStyle = '#c0392b';
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
  }
  ctx.restore();
}
