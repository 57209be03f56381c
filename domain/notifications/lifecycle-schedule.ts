/**
 * What the lifecycle of a confirmed booking does and when (API.md "The booking after
 * confirmation"): each branch reminder at `start - minutesBefore`, completion at
 * `end + completionGraceMinutes`. Pure: instants in, instants out (UTC ISO); the lifecycle
 * workflow only compares them with its own clock and sleeps.
 */
export type Channel = 'email' | 'sms';

export interface ReminderSetting {
  minutesBefore: number;
  channels: Channel[];
}

export interface NotificationSettings {
  reminders: ReminderSetting[];
  defaultLanguage: string;
}

export const NOTIFICATION_DEFAULTS: NotificationSettings = {
  reminders: [
    { minutesBefore: 1440, channels: ['email', 'sms'] },
    { minutesBefore: 120, channels: ['sms'] },
  ],
  defaultLanguage: 'de',
};

export const COMPLETION_GRACE_DEFAULT_MINUTES = 60;

/** Stored branch settings over the defaults (a stored `{}` or a missing key takes the default). */
export function notificationSettingsOf(stored: unknown): NotificationSettings {
  const s = (stored ?? {}) as Partial<NotificationSettings>;
  return {
    reminders: Array.isArray(s.reminders) ? s.reminders : NOTIFICATION_DEFAULTS.reminders,
    defaultLanguage: typeof s.defaultLanguage === 'string' ? s.defaultLanguage : NOTIFICATION_DEFAULTS.defaultLanguage,
  };
}

export interface ScheduledReminder extends ReminderSetting {
  /** UTC ISO instant the reminder is due. */
  at: string;
  /** Stable for one start: a reminder is sent at most once per (minutesBefore, start). */
  key: string;
}

export interface LifecycleSchedule {
  reminders: ScheduledReminder[];
  /** UTC ISO instant the booking becomes `completed` unless it is no longer confirmed. */
  completeAt: string;
}

export function lifecycleSchedule(input: { start: string; end: string; reminders: ReminderSetting[]; completionGraceMinutes: number }): LifecycleSchedule {
  const start = Date.parse(input.start);
  const byMinutes = new Map<number, ReminderSetting>();
  for (const r of input.reminders) {
    // Two settings with the same lead time are one reminder on the union of their channels.
    const known = byMinutes.get(r.minutesBefore);
    byMinutes.set(r.minutesBefore, { minutesBefore: r.minutesBefore, channels: [...new Set([...(known?.channels ?? []), ...r.channels])] });
  }
  const reminders = [...byMinutes.values()]
    .map((r) => ({ ...r, at: new Date(start - r.minutesBefore * 60_000).toISOString(), key: `${r.minutesBefore}@${new Date(start).toISOString()}` }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { reminders, completeAt: new Date(Date.parse(input.end) + input.completionGraceMinutes * 60_000).toISOString() };
}

/**
 * The reminders still to send at `now`: due at or after `knownSince` (the moment the booking got
 * this start: a reminder whose moment had passed when the booking was made or moved is skipped),
 * not sent yet, and the appointment not begun.
 */
export function remindersToSend(schedule: LifecycleSchedule, start: string, knownSince: number, sent: ReadonlySet<string>): ScheduledReminder[] {
  return schedule.reminders.filter((r) => Date.parse(r.at) >= knownSince && Date.parse(r.at) < Date.parse(start) && !sent.has(r.key));
}
