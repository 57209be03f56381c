import { lifecycleSchedule, notificationSettingsOf, NOTIFICATION_DEFAULTS, remindersToSend } from './lifecycle-schedule';

const start = '2027-03-29T07:00:00.000Z';
const end = '2027-03-29T08:00:00.000Z';

describe('lifecycle schedule', () => {
  it('puts each reminder at start - minutesBefore, earliest first, and completion at end + grace', () => {
    const s = lifecycleSchedule({ start, end, reminders: NOTIFICATION_DEFAULTS.reminders, completionGraceMinutes: 60 });
    expect(s.reminders.map((r) => [r.minutesBefore, r.at, r.channels])).toEqual([
      [1440, '2027-03-28T07:00:00.000Z', ['email', 'sms']],
      [120, '2027-03-29T05:00:00.000Z', ['sms']],
    ]);
    expect(s.completeAt).toBe('2027-03-29T09:00:00.000Z');
  });

  it('merges settings with the same lead time into one reminder', () => {
    const s = lifecycleSchedule({ start, end, reminders: [{ minutesBefore: 60, channels: ['email'] }, { minutesBefore: 60, channels: ['sms'] }], completionGraceMinutes: 0 });
    expect(s.reminders).toHaveLength(1);
    expect(s.reminders[0].channels).toEqual(['email', 'sms']);
  });

  it('keys a reminder by its lead time and start, so a moved booking gets new keys', () => {
    const a = lifecycleSchedule({ start, end, reminders: [{ minutesBefore: 60, channels: ['email'] }], completionGraceMinutes: 0 });
    const b = lifecycleSchedule({ start: '2027-03-30T07:00:00.000Z', end, reminders: [{ minutesBefore: 60, channels: ['email'] }], completionGraceMinutes: 0 });
    expect(a.reminders[0].key).not.toBe(b.reminders[0].key);
  });

  it('skips reminders whose moment passed before the booking got its start, and sent ones', () => {
    const s = lifecycleSchedule({ start, end, reminders: NOTIFICATION_DEFAULTS.reminders, completionGraceMinutes: 60 });
    const madeLate = Date.parse('2027-03-28T20:00:00.000Z');
    expect(remindersToSend(s, start, madeLate, new Set()).map((r) => r.minutesBefore)).toEqual([120]);
    expect(remindersToSend(s, start, 0, new Set([s.reminders[0].key])).map((r) => r.minutesBefore)).toEqual([120]);
  });

  it('reads stored settings over the defaults', () => {
    expect(notificationSettingsOf({})).toEqual(NOTIFICATION_DEFAULTS);
    expect(notificationSettingsOf({ defaultLanguage: 'en' })).toEqual({ ...NOTIFICATION_DEFAULTS, defaultLanguage: 'en' });
    expect(notificationSettingsOf({ reminders: [] }).reminders).toEqual([]);
  });
});
