/**
 * ECharts (Apache-2.0) through its modular core: only the heat map, bar and line charts with the
 * SVG renderer are bundled. Each chart is one labelled image and the pages show the same numbers
 * as a table, so nothing is only in a picture.
 */
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([HeatmapChart, BarChart, LineChart, GridComponent, TooltipComponent, VisualMapComponent, LegendComponent, SVGRenderer]);

export function Chart({ option, height = 320, label }: { option: echarts.EChartsCoreOption; height?: number; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    chart.current = echarts.init(ref.current, undefined, { renderer: 'svg' });
    const resize = () => chart.current?.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ animation: false, ...option }, true);
  }, [option]);
  // The label names the picture; ECharts' own DOM stays out of the accessibility tree.
  return (
    <div className="chart" role="img" aria-label={label}>
      <div ref={ref} style={{ height }} aria-hidden="true" />
    </div>
  );
}
