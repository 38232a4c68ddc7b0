/**
 * A calibration curve (PR or ROC) with its operating point (uPlot, like
 * TimeChart): x and y from the stored calibration's curves, one marked point
 * where the proposed threshold sits. Loaded with the calibration panel only.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const AXIS = { stroke: '#a7b0bf', grid: { stroke: '#2a313d', width: 1 }, ticks: { stroke: '#2a313d', width: 1 }, font: '13px system-ui, sans-serif' };

export function CurveChart({
  title,
  xLabel,
  yLabel,
  x,
  y,
  point,
  height = 240,
  testId,
}: {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Ascending. */
  x: readonly number[];
  y: readonly number[];
  /** The index of the operating point, or null. */
  point: number | null;
  height?: number;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const marked = x.map((_, i) => (i === point ? y[i]! : null));
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      series: [
        { label: xLabel, value: (_u, v) => (v === null ? '–' : v.toFixed(3)) },
        { label: yLabel, stroke: '#5aa9e6', width: 2, points: { show: false }, value: (_u, v) => (v === null ? '–' : v.toFixed(3)) },
        {
          label: 'proposed',
          stroke: '#f4b942',
          width: 0,
          points: { show: true, size: 12, fill: '#f4b942' },
          value: (_u, v) => (v === null ? '–' : v.toFixed(3)),
        },
      ],
      axes: [
        { ...AXIS, label: xLabel, labelFont: AXIS.font },
        { ...AXIS, label: yLabel, labelFont: AXIS.font, size: 56 },
      ],
      scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1.02] } },
      cursor: { drag: { x: false, y: false } },
      legend: { show: true },
    };
    const plot = new uPlot(options, [x as number[], y as number[], marked], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, y, point, height, xLabel, yLabel]);

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}
