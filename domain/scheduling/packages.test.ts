import { validatePackage } from '../booking/rules/validate-package';
import { explainStart } from './explain';
import { at, booking, branch, everyDay, NOW, service, staff, startLabels } from './scheduling.fixtures';
import type { BusyInterval, ServiceSpec, StaffSchedule } from './scheduling.types';
import { computeAvailability } from './slot-engine';

const TUE = '2027-03-02';

// wash 15 (+5 after) → cut 30 (+5 before, +10 after) → colour 60 (needs a colour skill and a basin).
const wash = service({ id: 'svc_wash', durationMinutes: 15, bufferAfterMinutes: 5, requiredSkills: [] });
const cut = service({ id: 'svc_cut', durationMinutes: 30, bufferBeforeMinutes: 5, bufferAfterMinutes: 10 });
const colour = service({ id: 'svc_colour', durationMinutes: 60, requiredSkills: ['colour'], resourceRequirements: ['basin'] });
const pkg = service({ id: 'svc_pkg', category: 'package', durationMinutes: 999, requiredSkills: ['nobody-has-this'], bufferBeforeMinutes: 60 });
const PARTS = [wash, cut, colour];

const anna = staff('stf_anna', { skills: ['cut', 'colour'] });
const ben = staff('stf_ben', { skills: ['cut'] });
const cleo = staff('stf_cleo', { skills: ['colour'] });

interface Scenario {
  staff?: StaffSchedule[];
  busy?: BusyInterval[];
  parts?: ServiceSpec[];
  branchOver?: Parameters<typeof branch>[0];
  now?: string;
}

function availability(s: Scenario = {}, date = TUE, staffId?: string) {
  return computeAvailability({
    branch: branch(s.branchOver), staff: s.staff ?? [anna, ben, cleo], service: pkg, packageParts: s.parts ?? PARTS,
    busy: s.busy ?? [], now: s.now ?? NOW, query: { from: date, to: date, staffId },
  }).days[0];
}

function validate(s: Scenario, start: string, staffId: string | null = null) {
  return validatePackage({
    branch: branch(s.branchOver), staff: s.staff ?? [anna, ben, cleo], service: pkg, packageParts: s.parts ?? PARTS,
    busy: s.busy ?? [], now: s.now ?? NOW, customer: { id: 'cus_1', blocked: false },
    booking: { start, staffId, customerId: 'cus_1' },
  });
}

const explain = (s: Scenario, start: string, staffId?: string) =>
  explainStart({ branch: branch(s.branchOver), staff: s.staff ?? [anna, ben, cleo], service: pkg, packageParts: s.parts ?? PARTS, busy: s.busy ?? [], now: s.now ?? NOW, start, staffId });

const hm = (iso: string) => iso.slice(11, 16);

describe('packages: parts back to back', () => {
  it('plans each part with its own duration and the buffers between parts, ignoring the package\'s own length and buffers', () => {
    const v = validate({}, at(TUE, '10:00'));
    expect(v.ok).toBe(true);
    // wash 10:00-10:15, +5 after +5 before → cut 10:25-10:55, +10 after → colour 11:05-12:05.
    expect(v.parts?.map((p) => [p.serviceId, new Date(p.start).toISOString().slice(11, 16), new Date(p.end).toISOString().slice(11, 16)])).toEqual([
      ['svc_wash', '09:00', '09:15'],
      ['svc_cut', '09:25', '09:55'],
      ['svc_colour', '10:05', '11:05'],
    ]);
    expect(v.end).toBe('2027-03-02T12:05:00+01:00');
    // Blocked ranges of consecutive parts meet, never overlap.
    const parts = v.parts!;
    for (let i = 1; i < parts.length; i++) expect(parts[i].blockedStart).toBe(parts[i - 1].blockedEnd);
    expect(parts[2].resourceId).toBe('basin');
  });

  it('prefers one staff member for every part when someone can take them all', () => {
    const v = validate({}, at(TUE, '10:00'));
    expect(v.parts?.map((p) => p.staffId)).toEqual(['stf_anna', 'stf_anna', 'stf_anna']);
  });

  it('assigns the best free staff member per part when no one is requested and the preferred one cannot take a part', () => {
    const v = validate({ busy: [booking('stf_anna', TUE, '11:30', '11:45')] }, at(TUE, '10:00'));
    expect(v.parts?.map((p) => p.staffId)).toEqual(['stf_ben', 'stf_ben', 'stf_cleo']);
    // Requested, Anna binds every part: her busy colour part makes the start unavailable (409-style).
    const bound = validate({ busy: [booking('stf_anna', TUE, '11:30', '11:45')] }, at(TUE, '10:00'), 'stf_anna');
    expect(bound).toMatchObject({ ok: false, slotTaken: true, parts: null });
    expect(bound.violations.map((x) => x.message).join()).toContain('part 3 (svc_colour)');
    const other = validate({ staff: [ben, cleo] }, at(TUE, '10:00'));
    expect(other.parts?.map((p) => p.staffId)).toEqual(['stf_ben', 'stf_ben', 'stf_cleo']);
  });

  it('lists a start only when every part fits, and slot end is the last part\'s end', () => {
    // Only Cleo colours; she is busy 13:00-14:00, so colour parts meeting that hour are impossible.
    const day = availability({ staff: [ben, cleo], busy: [booking('stf_cleo', TUE, '13:00', '14:00')] });
    const labels = startLabels(day);
    // Colour starts at start+65 min; it must end by 13:00 or start at/after 14:00: starts ≤ 10:55 or ≥ 12:55.
    expect(labels).toContain('10:45');
    expect(labels).not.toContain('11:00');
    expect(labels).not.toContain('12:45');
    expect(labels).toContain('13:00');
    // The package spans 125 minutes and must end by 18:00: starts up to 15:55, on the grid 15:45.
    expect(labels[labels.length - 1]).toBe('15:45');
    const slot = day.slots.find((s) => hm(s.start) === '13:00')!;
    expect(slot.end).toBe('2027-03-02T15:05:00+01:00');
    // Cleo could wash, but not at 13:00 (busy): the first part's free staff are listed.
    expect(slot.staffIds).toEqual(['stf_ben']);
    expect(day.slots.find((s) => hm(s.start) === '14:00')?.staffIds).toEqual(['stf_ben', 'stf_cleo']);
  });

  it('needs a free resource for the part that requires one', () => {
    const busy: BusyInterval[] = [{ resourceId: 'basin', start: at(TUE, '09:00'), end: at(TUE, '17:00') }];
    expect(availability({ busy }).slots).toEqual([]);
    const e = explain({ busy }, at(TUE, '10:00'));
    expect(e.available).toBe(false);
    expect(e.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'resource_unavailable', part: 2, serviceId: 'svc_colour' })]));
    expect(e.reasons.every((r) => r.part === 2)).toBe(true);
  });

  it('explains which part blocks, with its staff reasons', () => {
    const e = explain({ staff: [ben, cleo], busy: [booking('stf_cleo', TUE, '11:30', '12:00')] }, at(TUE, '10:00'));
    expect(e.available).toBe(false);
    expect(new Set(e.reasons.map((r) => r.part))).toEqual(new Set([2]));
    expect(e.reasons).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'staff_busy', staffId: 'stf_cleo', part: 2, serviceId: 'svc_colour' }),
      expect.objectContaining({ code: 'skill_mismatch', staffId: 'stf_ben', part: 2 }),
    ]));
    const ok = explain({ staff: [ben, cleo] }, at(TUE, '10:00'));
    expect(ok).toMatchObject({ available: true, staffIds: ['stf_ben', 'stf_cleo'], end: '2027-03-02T12:05:00+01:00', reasons: [] });
  });

  it('turns a busy part into a 409-style conflict and a broken rule into a violation naming the part', () => {
    const taken = validate({ staff: [ben, cleo], busy: [booking('stf_cleo', TUE, '11:30', '12:00')] }, at(TUE, '10:00'));
    expect(taken).toMatchObject({ ok: false, slotTaken: true, parts: null });
    expect(taken.violations[0].message).toContain('part 3 (svc_colour)');
    const late = validate({}, at(TUE, '17:00'));
    expect(late).toMatchObject({ ok: false, slotTaken: false });
    expect(late.violations.map((v) => v.rule)).toContain('business_hours');
  });

  it('every listed start validates, and with a staff filter exactly the starts that person can take alone (engine and rules agree)', () => {
    const dora = staff('stf_dora', { skills: ['cut', 'colour'], breaks: { tuesday: [{ start: '12:00', end: '12:30' }] } });
    const scenario: Scenario = {
      staff: [anna, ben, cleo, dora],
      busy: [booking('stf_anna', TUE, '10:00', '11:00'), booking('stf_cleo', TUE, '14:00', '15:00'), { resourceId: 'basin', start: at(TUE, '16:00'), end: at(TUE, '16:30') }],
    };
    const day = availability(scenario);
    expect(day.slots.length).toBeGreaterThan(10);
    let split = 0;
    for (const slot of day.slots) {
      const v = validate(scenario, slot.start);
      expect({ start: slot.start, ok: v.ok }).toEqual({ start: slot.start, ok: true });
      expect(v.end).toBe(slot.end);
      // Listed staff can take the whole package (booking with them works), or, when nobody can,
      // the start fits only split between people and none of them validates alone.
      const alone = slot.staffIds.map((staffId) => validate(scenario, slot.start, staffId).ok);
      expect({ start: slot.start, alone: alone.every(Boolean) || alone.every((ok) => !ok) }).toEqual({ start: slot.start, alone: true });
      if (!alone[0]) split += 1;
      expect(explain(scenario, slot.start).staffIds).toEqual(slot.staffIds);
    }
    expect(split).toBeGreaterThan(0);
    expect(split).toBeLessThan(day.slots.length);
    const grid = Array.from({ length: 36 }, (_, i) => 9 * 60 + i * 15).map((m) => at(TUE, `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`));
    const listed = new Set(day.slots.map((s) => s.start));
    // A start the engine leaves out does not validate.
    for (const start of grid) if (!listed.has(validate(scenario, start).start)) expect(validate(scenario, start).ok).toBe(false);
    for (const person of ['stf_anna', 'stf_ben', 'stf_cleo', 'stf_dora']) {
      const mine = new Set(availability(scenario, TUE, person).slots.map((s) => s.start));
      for (const start of grid) {
        const v = validate(scenario, start, person);
        expect({ person, start: v.start, ok: v.ok }).toEqual({ person, start: v.start, ok: mine.has(v.start) });
        if (v.ok) expect(v.parts?.map((p) => p.staffId)).toEqual([person, person, person]);
      }
    }
  });

  it('binds every part to the requested staff member: a part they cannot do makes the start unavailable, and explain names it', () => {
    // Unfiltered, a start lists who can take the whole package (booking with them works): Anna, not
    // Ben (no colour) or Cleo (no cut), though all three could wash.
    const open = availability({}, TUE).slots.find((x) => hm(x.start) === '10:00');
    expect(open?.staffIds).toEqual(['stf_anna']);
    expect(explain({}, at(TUE, '10:00')).staffIds).toEqual(['stf_anna']);
    // Ben cannot colour: no package start for him at all.
    expect(availability({}, TUE, 'stf_ben').slots).toEqual([]);
    const v = validate({}, at(TUE, '10:00'), 'stf_ben');
    expect(v).toMatchObject({ ok: false, slotTaken: true, parts: null });
    expect(v.violations).toEqual([expect.objectContaining({ rule: 'staff_availability', reasons: ['skill_mismatch'], message: expect.stringContaining('part 3 (svc_colour)') })]);
    const e = explain({}, at(TUE, '10:00'), 'stf_ben');
    expect(e.available).toBe(false);
    expect(e.reasons).toEqual([expect.objectContaining({ code: 'skill_mismatch', staffId: 'stf_ben', part: 2, serviceId: 'svc_colour' })]);
    // Anna can do all parts: every listed start is hers alone, and she takes every part.
    const day = availability({}, TUE, 'stf_anna');
    expect(day.slots.length).toBeGreaterThan(10);
    expect(day.slots.every((s) => s.staffIds.length === 1 && s.staffIds[0] === 'stf_anna')).toBe(true);
    expect(validate({}, at(TUE, '10:00'), 'stf_anna').parts?.map((p) => p.staffId)).toEqual(['stf_anna', 'stf_anna', 'stf_anna']);
    // Not working: Anna leaves at 11:30, so the colour part (from 11:05) no longer fits her.
    const early = staff('stf_anna', { skills: ['cut', 'colour'], workingHours: everyDay([{ start: '09:00', end: '11:30' }]) });
    const short = validate({ staff: [early, ben, cleo] }, at(TUE, '10:00'), 'stf_anna');
    expect(short).toMatchObject({ ok: false, slotTaken: true });
    expect(explain({ staff: [early, ben, cleo] }, at(TUE, '10:00'), 'stf_anna').reasons).toEqual([
      expect.objectContaining({ code: 'staff_not_working', staffId: 'stf_anna', part: 2, serviceId: 'svc_colour' }),
    ]);
    // Her package starts end by 11:30 (125 minutes): 09:00 and 09:15 only.
    expect(availability({ staff: [early, ben, cleo] }, TUE, 'stf_anna').slots.map((s) => hm(s.start))).toEqual(['09:00', '09:15']);
    // Without the filter the same start is fine (Cleo colours).
    expect(validate({ staff: [early, ben, cleo] }, at(TUE, '10:00')).ok).toBe(true);
  });

  it('names a limit the requested person reached once, with every part it refuses', () => {
    // Anna already has a booking that day and may take one a day: every part she would take is refused.
    const over = validate({ branchOver: { limits: { perStaff: { day: 1 } } }, busy: [booking('stf_anna', TUE, '16:00', '16:30', { branchId: 'br_1', serviceId: 'svc_cut' })] }, at(TUE, '10:00'), 'stf_anna');
    expect(over).toMatchObject({ ok: false, slotTaken: false, parts: null });
    expect(over.violations.map((v) => v.rule)).toEqual(['booking_limit']);
    const [limit] = over.violations;
    expect(limit.limits).toEqual(['branch.perStaff.day']);
    expect(limit.message).toMatch(/^parts 1 \(svc_wash\), 2 \(svc_cut\), 3 \(svc_colour\): /);
    // The limit's own message once, not once per part.
    const bare = limit.message.replace(/^parts [^:]*: /, '');
    expect(limit.message.split(bare)).toHaveLength(2);
  });
});

describe('packages across DST days', () => {
  const allDay = (id: string, skills: string[]) => staff(id, { skills, workingHours: everyDay([{ start: '00:00', end: '24:00' }]) });
  const night: Scenario = {
    staff: [allDay('stf_anna', ['cut', 'colour'])],
    parts: [service({ id: 'svc_a', durationMinutes: 30, requiredSkills: [], bufferAfterMinutes: 15 }), service({ id: 'svc_b', durationMinutes: 45 })],
    now: '2027-01-01T00:00:00Z',
  };
  const dstBranch = (date: string) => ({
    operatingHours: { sunday: { open: true, start: '01:00', end: '05:00' } },
    rules: { minimumNoticeMinutes: 0, maxAdvanceDays: 400, slotIntervalMinutes: 30 },
    closures: [], specialHours: [], timezone: 'Europe/Berlin', id: `br_${date}`,
  });

  it('spring forward: parts keep real-time lengths and gaps across the missing hour', () => {
    const s = { ...night, branchOver: dstBranch('2027-03-28') };
    // Package span: 30 + 15 + 45 = 90 real minutes. Window 01:00+01 .. 05:00+02 is 3 real hours.
    const day = availability(s, '2027-03-28');
    expect(day.slots.map((x) => x.start.slice(11))).toEqual(['01:00:00+01:00', '01:30:00+01:00', '03:00:00+02:00', '03:30:00+02:00']);
    const v = validate(s, '2027-03-28T01:30:00+01:00');
    expect(v.ok).toBe(true);
    // Part b starts 45 real minutes after 01:30+01:00 = 02:15+01:00 = 03:15+02:00.
    expect(new Date(v.parts![1].start).toISOString()).toBe('2027-03-28T01:15:00.000Z');
    expect(v.end).toBe('2027-03-28T04:00:00+02:00');
    expect(day.slots[1].end).toBe('2027-03-28T04:00:00+02:00');
  });

  it('fall back: the repeated hour is walked once per real instant, parts in real time', () => {
    const s = { ...night, branchOver: dstBranch('2027-10-31') };
    const day = availability(s, '2027-10-31');
    // 01:00+02 .. 05:00+01 is 5 real hours; starts every 30 real minutes while 90 minutes fit.
    expect(day.slots.map((x) => x.start.slice(11, 22))).toEqual([
      '01:00:00+02', '01:30:00+02', '02:00:00+02', '02:30:00+02', '02:00:00+01', '02:30:00+01', '03:00:00+01', '03:30:00+01',
    ]);
    const v = validate(s, '2027-10-31T02:30:00+02:00');
    expect(v.ok).toBe(true);
    expect(new Date(v.parts![1].start).toISOString()).toBe('2027-10-31T01:15:00.000Z');
    expect(v.end).toBe('2027-10-31T03:00:00+01:00');
  });
});
