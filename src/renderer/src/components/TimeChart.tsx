/**
 * A line chart (uPlot: canvas, thousands of points at no cost to the page).
 * The x values are epoch seconds, or plain numbers with xUnit; series may
 * have gaps (null).
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  /** Shown in the legend after the value. */
  readonly unit?: string;
}

const AXIS = { stroke: '#a7b0bf', grid: { stroke: '#2a313d', width: 1 }, ticks: { stroke: '#2a313d', width: 1 }, font: '13px system-ui, sans-serif' };

export function TimeChart({
  title,
  series,
  data,
  height = 200,
  testId,
  yRange,
  yLog = false,
  xUnit,
}: {
  title: string;
  series: readonly ChartSeries[];
  /** [x (epoch seconds), ...one array per series] */
  data: readonly (readonly (number | null)[])[];
  height?: number;
  testId?: string;
  /** Fixed y range (e.g. 0..1 for a risk); default: fit the data, from 0. */
  yRange?: [number, number];
  /**
   * A logarithmic y axis (every value must be above 0; a 0 or less is not drawn): series orders of magnitude apart
   * (the benchmark's offline latencies beside single stream's) each keep their shape instead of one flattening the rest.
   */
  yLog?: boolean;
  /** The x axis: epoch seconds (default) or plain numbers, labelled with this unit (e.g. "percentile"). */
  xUnit?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${v.toFixed(v < 10 ? 2 : 1)}${s.unit ? ` ${s.unit}` : ''}`),
        })),
      ],
      axes: [xUnit ? { ...AXIS, label: xUnit, labelFont: AXIS.font } : AXIS, { ...AXIS, size: 56 }],
      scales: {
        x: { time: xUnit === undefined },
        // Log: uPlot's own range (whole decades around the data); a linear one starts at 0.
        y: yRange ? { range: yRange } : yLog ? { distr: 3, log: 10 } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      cursor: { drag: { x: false, y: false } },
      legend: { show: true },
    };
    plot.current = new uPlot(options, data as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // The chart is made once per set of series; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [series.map((s) => s.label).join('|'), height, xUnit, yLog]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}
