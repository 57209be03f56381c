/**
 * Manager dashboard over GET /v1/analytics: popular times (weekday × hour heat map), the rates,
 * service demand, revenue, bookings by source; bookings, cancellations, no-shows and revenue over
 * time (`interval=`, buckets by the range's length) and the comparison of staff (one branch) or
 * branches (the whole company) with `groupBy=`; a branch filter and a date range.
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
  const [branchId, setBranchId] = useState<string | null>(null);
  const [from, setFrom] = useState(addDays(today, -30));
  const [to, setTo] = useState(addDays(today, 60));
  // null: not chosen yet (the first branch); '': the whole company.
  const effectiveBranch = branchId ?? branches.data?.data[0]?.id;
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
  const interval = days <= 31 ? 'day' : days <= 190 ? 'week' : 'month';
  const analytics = useAnalytics({ branchId: effectiveBranch || undefined, from, to, interval });
  const comparison = useOptionalAnalytics({ branchId: effectiveBranch || undefined, from, to, groupBy: effectiveBranch ? 'staff' : 'branch' }, effectiveBranch !== undefined);
  const a = analytics.data;
  const groups = comparison.data?.groups ?? [];

  const heat = useMemo(() => {
    const cells = (a?.popularTimes ?? []).map((p) => {
      const day = typeof p.weekday === 'number' ? (p.weekday + 6) % 7 : DAYS.indexOf(String(p.weekday).toLowerCase());
      return [p.hour, day, p.count] as [number, number, number];
    });
    const max = Math.max(1, ...cells.map((c) => c[2]));
    return { cells, max };
  }, [a]);
  const hours = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`);
  const money = (value: number | undefined) => (value === undefined ? '—' : new Intl.NumberFormat('en-GB', { style: 'currency', currency: a?.currency ?? 'EUR' }).format(value));
  const timeSeries = a?.series ?? [];
  const rate = (part: number, whole: number) => (whole > 0 ? Number(((part / whole) * 100).toFixed(1)) : 0);

  return (
    <section aria-labelledby="dash-title">
      <div className="toolbar">
        <h1 id="dash-title">Dashboard</h1>
        <label>
          Branch{' '}
          <select value={effectiveBranch ?? ''} onChange={(e) => setBranchId(e.target.value)}>
            <option value="">All branches</option>
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
            <Stat label="Revenue" value={money(a.revenue)} />
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
                <h2>Over time (per {interval})</h2>
                <Chart
                  label={`Bookings, cancellations and no-shows per ${interval}, and the cancellation and no-show rates`}
                  height={280}
                  option={{
                    tooltip: { trigger: 'axis' },
                    legend: { top: 0 },
                    grid: { left: 40, right: 50, top: 50, bottom: 30 },
                    xAxis: { type: 'category', data: timeSeries.map((p) => p.period) },
                    yAxis: [
                      { type: 'value', minInterval: 1, name: 'count' },
                      { type: 'value', name: '%', max: 100, splitLine: { show: false } },
                    ],
                    series: [
                      { name: 'Bookings', type: 'bar', data: timeSeries.map((p) => p.bookings), itemStyle: { color: '#1f4e99' } },
                      { name: 'Cancellations', type: 'bar', data: timeSeries.map((p) => p.cancellations), itemStyle: { color: '#8a94a3' } },
                      { name: 'No-shows', type: 'bar', data: timeSeries.map((p) => p.noShows), itemStyle: { color: '#a4161a' } },
                      { name: 'Cancellation rate', type: 'line', yAxisIndex: 1, data: timeSeries.map((p) => rate(p.cancellations, p.bookings)) },
                      { name: 'No-show rate', type: 'line', yAxisIndex: 1, data: timeSeries.map((p) => rate(p.noShows, p.bookings)) },
                    ],
                  }}
                />
                <Chart
                  label={`Revenue per ${interval}`}
                  height={200}
                  option={{
                    tooltip: { trigger: 'axis' },
                    grid: { left: 60, right: 20, top: 20, bottom: 30 },
                    xAxis: { type: 'category', data: timeSeries.map((p) => p.period) },
                    yAxis: { type: 'value', name: a.currency ?? '' },
                    series: [{ name: 'Revenue', type: 'line', areaStyle: {}, data: timeSeries.map((p) => p.revenue), itemStyle: { color: '#1f6b35' } }],
                  }}
                />
              </div>
            )}
            {groups.length > 0 && (
              <div className="panel wide">
                <h2>{effectiveBranch ? 'Staff' : 'Branches'} compared</h2>
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">{effectiveBranch ? 'Staff member' : 'Branch'}</th>
                      <th scope="col">Bookings</th>
                      <th scope="col">Cancellations</th>
                      <th scope="col">No-shows</th>
                      <th scope="col">Revenue</th>
                      <th scope="col">Utilisation</th>
                    </tr>
                  </thead>
                  <tbody>
                    {groups.map((g) => (
                      <tr key={g.id}>
                        <th scope="row">{g.name}</th>
                        <td>{g.bookings}</td>
                        <td>{g.cancellations}</td>
                        <td>{g.noShows}</td>
                        <td>{money(g.revenue)}</td>
                        <td>{g.utilizationRate === null ? '—' : pct(g.utilizationRate)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
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
