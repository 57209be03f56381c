/**
 * Catalog editing for managers: branches (name, opening hours), staff (name, working hours) and
 * services (name, duration, price) with PATCH; new services with POST. Each row saves on its own,
 * and a refusal shows the API's field errors.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ProblemView } from '../../components/ProblemView';
import { WEEKDAYS, type Branch, type Interval, type Service, type Staff, type Weekday } from '../../lib/types';
import { useBranches, useServices, useStaff } from '../../lib/catalog';
import { patch, post } from './api';

export function CatalogPage() {
  const branches = useBranches();
  const [branchId, setBranchId] = useState('');
  const branch = branches.data?.data.find((b) => b.id === branchId) ?? branches.data?.data[0];
  const staff = useStaff(branch?.id);
  const services = useServices(branch?.id);
  return (
    <section aria-labelledby="catalog-title">
      <div className="toolbar">
        <h1 id="catalog-title">Catalog</h1>
        <label>
          Branch{' '}
          <select value={branch?.id ?? ''} onChange={(e) => setBranchId(e.target.value)}>
            {branches.data?.data.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ProblemView error={branches.error} />
      {branch && <BranchForm key={branch.id} branch={branch} />}
      <h2>Services</h2>
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Minutes</th>
            <th scope="col">Price</th>
            <th scope="col">
              <span className="visually-hidden">Save</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {services.data?.map((s) => <ServiceRow key={s.id} service={s} />)}
          {branch && <ServiceRow branchId={branch.id} />}
        </tbody>
      </table>
      <h2>Staff</h2>
      <ul className="cards">
        {(staff.data?.data ?? [])
          .filter((s) => s.branchId === branch?.id)
          .map((s) => (
            <StaffForm key={s.id} staff={s} />
          ))}
      </ul>
    </section>
  );
}

function useSaver() {
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  async function save(action: () => Promise<unknown>) {
    setError(null);
    setSaved(false);
    try {
      await action();
      setSaved(true);
      await Promise.all(['branches', 'staff', 'services', 'availability'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
    } catch (e) {
      setError(e);
    }
  }
  return { error, saved, save };
}

function priceOf(service: Service | undefined): string {
  const price = service?.price;
  if (price === null || price === undefined) return '';
  return typeof price === 'number' ? String(price) : String(price.amount);
}

function ServiceRow({ service, branchId }: { service?: Service; branchId?: string }) {
  const { error, saved, save } = useSaver();
  const formId = `svc-${service?.id ?? 'new'}`;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const price = String(form.get('price') ?? '').trim();
    const body: Record<string, unknown> = { name: String(form.get('name')), durationMinutes: Number(form.get('duration')) };
    if (price !== '') body.price = Number(price);
    void save(() => (service ? patch(`/v1/services/${service.id}`, body) : post('/v1/services', { ...body, branchId, category: 'fixed' })));
  }
  return (
    <tr>
      <td>
        <form id={formId} onSubmit={submit} />
        <input form={formId} name="name" aria-label="Service name" defaultValue={service?.name} required placeholder={service ? undefined : 'New service'} />
      </td>
      <td>
        <input form={formId} name="duration" aria-label="Duration in minutes" type="number" min={5} max={1440} defaultValue={service?.durationMinutes ?? 30} required />
      </td>
      <td>
        <input form={formId} name="price" aria-label="Price" type="number" min={0} step="0.01" defaultValue={priceOf(service)} />
      </td>
      <td>
        <button form={formId} type="submit">
          {service ? 'Save' : 'Add'}
        </button>
        {saved && <span role="status"> saved</span>}
        <ProblemView error={error} />
      </td>
    </tr>
  );
}

const toText = (intervals: Interval[] | undefined) => (intervals ?? []).map((i) => `${i.start}-${i.end}`).join(', ');
function parseIntervals(text: string): Interval[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [start, end] = part.split('-').map((t) => t.trim());
      return { start, end };
    });
}

function BranchForm({ branch }: { branch: Branch }) {
  const { error, saved, save } = useSaver();
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const operatingHours: Record<string, unknown> = {};
    for (const day of WEEKDAYS) {
      const text = String(form.get(day) ?? '').trim();
      const [interval] = parseIntervals(text);
      operatingHours[day] = interval ? { open: true, ...interval } : { open: false };
    }
    void save(() => patch(`/v1/branches/${branch.id}`, { name: String(form.get('name')), operatingHours }));
  }
  return (
    <form onSubmit={submit} className="card stack">
      <h2>Branch</h2>
      <label>
        Name <input name="name" defaultValue={branch.name} required />
      </label>
      <fieldset>
        <legend>Opening hours ({branch.timezone}; empty = closed)</legend>
        <div className="hours">
          {WEEKDAYS.map((day) => {
            const h = branch.operatingHours[day];
            return (
              <label key={day}>
                {day} <input name={day} defaultValue={h?.open && h.start ? `${h.start}-${h.end}` : ''} placeholder="09:00-18:00" pattern="^(\d{2}:\d{2}-\d{2}:\d{2})?$" />
              </label>
            );
          })}
        </div>
      </fieldset>
      <div className="row">
        <button type="submit">Save branch</button>
        {saved && <span role="status">saved</span>}
      </div>
      <ProblemView error={error} />
    </form>
  );
}

function StaffForm({ staff }: { staff: Staff }) {
  const { error, saved, save } = useSaver();
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const workingHours: Partial<Record<Weekday, Interval[]>> = {};
    for (const day of WEEKDAYS) {
      const intervals = parseIntervals(String(form.get(day) ?? ''));
      if (intervals.length) workingHours[day] = intervals;
    }
    void save(() => patch(`/v1/staff/${staff.id}`, { name: String(form.get('name')), workingHours }));
  }
  return (
    <li className="card">
      <form onSubmit={submit} className="stack">
        <label>
          Name <input name="name" defaultValue={staff.name} required />
        </label>
        <fieldset>
          <legend>Working hours (e.g. 09:00-13:00, 14:00-18:00)</legend>
          <div className="hours">
            {WEEKDAYS.map((day) => (
              <label key={day}>
                {day} <input name={day} defaultValue={toText(staff.workingHours?.[day])} />
              </label>
            ))}
          </div>
        </fieldset>
        <div className="row">
          <button type="submit">Save {staff.name}</button>
          {saved && <span role="status">saved</span>}
        </div>
        <ProblemView error={error} />
      </form>
    </li>
  );
}
