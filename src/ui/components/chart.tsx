// A day-by-day line chart drawn by uPlot (bundled; no CDN). Rebuilt when the data changes.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export function DailyChart({ days, series, label }: { days: string[]; series: { name: string; values: number[]; format?: (v: number) => string }[]; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el || days.length === 0) return;
    const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const colors = ["#2563eb", "#b45309", "#047857", "#7c3aed"];
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 240,
        series: [{}, ...series.map((s, i) => ({ label: s.name, stroke: colors[i % colors.length], width: 2, value: (_: uPlot, v: number | null) => (v === null ? "—" : s.format ? s.format(v) : String(v)), scale: i === 0 ? "y" : "y2" }))],
        axes: [{}, { scale: "y", values: (_: uPlot, ticks: number[]) => ticks.map((t) => (series[0]?.format ? series[0].format(t) : String(t))) }, ...(series.length > 1 ? [{ scale: "y2", side: 1, grid: { show: false } }] : [])],
        scales: { x: { time: true } },
      },
      [xs, ...series.map((s) => s.values)],
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(320, el.clientWidth), height: 240 });
    addEventListener("resize", resize);
    return () => {
      removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [days, series]);
  return <div ref={host} class="chart" role="img" aria-label={label} />;
}
