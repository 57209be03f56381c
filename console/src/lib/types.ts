/**
 * The shapes the console reads, as API.md names them (only the fields it uses). Answers are not
 * re-validated in the browser: the API validates and renders them from its zod schemas.
 */
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
export const WEEKDAYS: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
export interface Interval {
  start: string;
  end: string;
}
export interface DayHours {
  open: boolean;
  start?: string;
  end?: string;
}
export interface Branch {
  id: string;
  name: string;
  timezone: string;
  operatingHours: Partial<Record<Weekday, DayHours>>;
  specialHours?: Array<{ date: string } & DayHours>;
  closures?: Array<{ date: string; reason?: string | null }>;
  rules?: Record<string, unknown>;
}
export interface Staff {
  id: string;
  branchId: string;
  name: string;
  email?: string | null;
  languages?: string[];
  skills?: string[];
  workingHours?: Partial<Record<Weekday, Interval[]>>;
  breaks?: Partial<Record<Weekday, Interval[]>>;
  rating?: { average: number | null; count: number } | null;
}
export interface Service {
  id: string;
  branchId: string;
  name: string;
  durationMinutes: number;
  price?: number | { amount: number; currency: string } | null;
  currency?: string | null;
  category?: string;
  requiresApproval?: boolean;
}
export interface Customer {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  language?: string | null;
}
export type BookingStatus = 'pending' | 'awaiting_approval' | 'confirmed' | 'declined' | 'cancelled' | 'failed' | 'no_show' | 'completed';
export interface Booking {
  id: string;
  status: BookingStatus;
  branchId: string;
  serviceId: string;
  customerId: string;
  staffId: string | null;
  start: string;
  end: string;
  source: string;
  rescheduledCount: number;
  calendar?: { status: string; externalId?: string | null };
  workflowId?: string;
  failureReason?: string | null;
  notes?: string | null;
  history?: Array<{ at: string; event: string; detail?: unknown }>;
  customer?: Customer;
  service?: Service;
  staff?: Staff;
}
export interface TimeOff {
  id: string;
  start: string;
  end: string;
  reason?: string | null;
}
export interface Slot {
  start: string;
  end: string;
  staffIds: string[];
  staff?: Array<{ id: string; name: string }>;
  price?: unknown;
}
export interface Availability {
  timezone: string;
  days: Array<{ date: string; slots: Slot[] }>;
}
export interface NextSlot {
  start: string;
  end: string;
  staffId: string;
  staffName?: string;
}
export interface Alternative {
  start: string;
  end: string;
  staffId: string;
  staffName?: string;
}
export interface SyncFailure {
  id: string;
  bookingId: string;
  operation: string;
  error: string;
  attempts: number;
  status: 'open' | 'retrying' | 'resolved';
  createdAt: string;
  updatedAt: string;
}
export interface AnalyticsBuckets {
  bookings: number;
  cancellations: number;
  noShows: number;
  revenue: number;
}
export interface AnalyticsPoint extends AnalyticsBuckets {
  period: string;
}
export interface Analytics {
  totalBookings: number;
  bySource: Record<string, number>;
  averageLeadHours: number | null;
  averageDailyBookings: number;
  noShowRate: number;
  cancellationRate: number;
  utilizationRate: number;
  conversionRate: number;
  popularTimes: Array<{ weekday: number | string; hour: number; count: number }>;
  serviceDemand: Array<{ serviceId: string; name: string; count: number }>;
  currency?: string;
  revenue?: number;
  series?: AnalyticsPoint[];
  groups?: Array<AnalyticsBuckets & { id: string; name: string; utilizationRate: number | null }>;
}
export interface ApiKey {
  id: string;
  name: string;
  role: string;
  prefix?: string;
  createdAt?: string;
  revokedAt?: string | null;
  apiKey?: string;
}
