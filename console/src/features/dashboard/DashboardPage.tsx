/**
 * Manager dashboard over GET /v1/analytics: popular times (weekday × hour heat map), the rates,
 * service demand, revenue, bookings by source, a branch filter and a date range. Where the API
 * answers `interval=` time series and `groupBy=` comparisons, those are charted too.
 */
import { useMemo, useState } from 'react';
import { ProblemView } from '../../components/ProblemView';
import { addDays, todayIn } from '../../lib/time';
import { useBranches } from '../../lib/catalog';
import { useAnalytics, useOptionalAnalytics } from './api';
import { Chart } from './charts';

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_LABELS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const pct = (rate: number | undefined) => (rate === undefined || rate === null ? '—' : `${(rate * 100).toFixed(1)} %`);

export function DashboardPage() {
  const branches = useBranches();
  const today = todayIn(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [branchId, setBranchId] = useState<string>('');
  const [from, setFrom] = useState(addDays(today, -30));
  const [to, setTo] = useState(addDays(today, 60));
  const effectiveBranch = branchId || branches.data?.data[0]?.id;
  const analytics = useAnalytics({ branchId: effectiveBranch, from, to });
  const series = useOptionalAnalytics({ branchId: effectiveBranch, from, to, interval: 'week' }, !!effectiveBranch);
  const a = analytics.data;

  const heat = useMemo(() => {
    const cells = (a?.popularTimes ?? []).map((p) => {
      const day = typeof p.weekday === 'number' ? (p.weekday + 6) % 7 : DAYS.indexOf(String(p.weekday).toLowerCase());
      return [p.hour, day, p.count] as [number, number, number];
    });
    const max = Math.max(1, ...cells.map((c) => c[2]));
    return { cells, max };
  }, [a]);
  const hours = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`);
  const revenue = a?.revenue as { total?: number; amount?: number; currency?: string } | number | undefined;
  const revenueText =
    typeof revenue === 'number' ? revenue.toFixed(2) : revenue ? `${(revenue.total ?? revenue.amount ?? 0).toFixed(2)} ${revenue.currency ?? ''}` : '—';
  const timeSeries = (series.data?.series ?? []) as Array<{ period?: string; start?: string; bookings?: number; cancellations?: number; noShows?: number }>;

  return (
    <section aria-labelledby="dash-title">
      <div className="toolbar">
        <h1 id="dash-title">Dashboard</h1>
        <label>
          Branch{' '}
          <select value={effectiveBranch ?? ''} onChange={(e) => setBranchId(e.target.value)}>
            {branches.data?.data.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From <input type="date" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} />
        </label>
        <label>
          To <input type="date" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} />
        </label>
      </div>
      <ProblemView error={analytics.error} />
      {a && (
        <>
          <ul className="stats" aria-label="Key figures">
            <Stat label="Bookings" value={String(a.totalBookings)} />
            <Stat label="Per day" value={a.averageDailyBookings.toFixed(1)} />
            <Stat label="Conversion" value={pct(a.conversionRate)} />
            <Stat label="Lead time" value={a.averageLeadHours === null ? '—' : `${a.averageLeadHours.toFixed(1)} h`} />
            <Stat label="Cancellations" value={pct(a.cancellationRate)} />
            <Stat label="No-shows" value={pct(a.noShowRate)} />
            <Stat label="Utilisation" value={pct(a.utilizationRate)} />
            <Stat label="Revenue" value={revenueText} />
          </ul>
          <div className="panels">
            <div className="panel wide">
              <h2>Popular times</h2>
              <Chart
                label={`Heat map of bookings by weekday and hour, ${a.totalBookings} bookings`}
                height={300}
                option={{
                  tooltip: { position: 'top' },
                  grid: { left: 50, right: 20, top: 10, bottom: 70 },
                  xAxis: { type: 'category', data: hours, splitArea: { show: true } },
                  yAxis: { type: 'category', data: DAY_LABELS, inverse: true, splitArea: { show: true } },
                  visualMap: { min: 0, max: heat.max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#f1f5fb', '#1f4e99'] } },
                  series: [{ name: 'Bookings', type: 'heatmap', data: heat.cells, label: { show: true } }],
                }}
              />
              <details>
                <summary>Popular times as a table</summary>
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">Weekday</th>
                      <th scope="col">Hour</th>
                      <th scope="col">Bookings</th>
                    </tr>
                  </thead>
                  <tbody>
                    {heat.cells.map(([h, d, c]) => (
                      <tr key={`${d}-${h}`}>
                        <td>{DAY_LABELS[d]}</td>
                        <td>{hours[h]}</td>
                        <td>{c}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            </div>
            <div className="panel">
              <h2>Service demand</h2>
              <Chart
                label="Bookings per service"
                height={240}
                option={{
                  tooltip: {},
                  grid: { left: 120, right: 20, top: 10, bottom: 30 },
                  xAxis: { type: 'value', minInterval: 1 },
                  yAxis: { type: 'category', data: a.serviceDemand.map((s) => s.name) },
                  series: [{ type: 'bar', data: a.serviceDemand.map((s) => s.count), itemStyle: { color: '#1f4e99' } }],
                }}
              />
            </div>
            <div className="panel">
              <h2>By channel</h2>
              <table className="data">
                <tbody>
                  {Object.entries(a.bySource).map(([source, count]) => (
                    <tr key={source}>
                      <th scope="row">{source}</th>
                      <td>{count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {timeSeries.length > 0 && (
              <div className="panel wide">
                <h2>Over time</h2>
                <Chart
                  label="Bookings, cancellations and no-shows per week"
                  height={260}
                  option={{
                    tooltip: { trigger: 'axis' },
                    legend: {},
                    grid: { left: 40, right: 20, top: 30, bottom: 30 },
                    xAxis: { type: 'category', data: timeSeries.map((p) => p.period ?? p.start ?? '') },
                    yAxis: { type: 'value', minInterval: 1 },
                    series: [
                      { name: 'Bookings', type: 'line', data: timeSeries.map((p) => p.bookings ?? 0) },
                      { name: 'Cancellations', type: 'line', data: timeSeries.map((p) => p.cancellations ?? 0) },
                      { name: 'No-shows', type: 'line', data: timeSeries.map((p) => p.noShows ?? 0) },
                    ],
                  }}
                />
              </div>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <li className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
    </li>
  );
}
