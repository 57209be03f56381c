/**
 * Reconciliation maths (pure): which of our bookings Cal.com cancelled or moved without us
 * hearing of it (a lost webhook). Positive evidence only: a booking is reported cancelled when
 * Cal.com shows its uid cancelled with no live successor, moved when the rescheduledToUid chain
 * ends in a live booking at another time; a uid Cal.com does not show is `unresolved` (never a
 * cancellation). Each remote booking must carry our ownership metadata for that very booking and
 * company, so nothing of another company or connection is ever touched.
 */

export interface RemoteBooking {
  uid: string;
  status: string;
  start: string;
  end: string;
  rescheduledToUid?: string | null;
  metadata?: Record<string, unknown> | null;
  hostIds: number[];
  cancellationReason?: string | null;
  reschedulingReason?: string | null;
}

export interface LocalBooking {
  id: string;
  uid: string;
  start: string;
}

export type DriftChange =
  | { kind: 'cancelled'; bookingId: string; uid: string; remote: RemoteBooking }
  | { kind: 'moved'; bookingId: string; previousUid: string; remote: RemoteBooking };

export interface DriftReport {
  changes: DriftChange[];
  /** Our uids Cal.com did not show (or whose chain it did not): nothing is done about them. */
  unresolved: string[];
}

const MAX_HOPS = 20;
const isLive = (b: RemoteBooking) => b.status === 'accepted' || b.status === 'pending';

export function belongsTo(remote: RemoteBooking, bookingId: string, companyId: string): boolean {
  return remote.metadata?.bookingId === bookingId && remote.metadata?.companyId === companyId;
}

/** `lookup(uid)`: the remote booking of that uid, or undefined when Cal.com did not show it. */
export function findDrift(ours: LocalBooking[], companyId: string, lookup: (uid: string) => RemoteBooking | undefined): DriftReport {
  const changes: DriftChange[] = [];
  const unresolved: string[] = [];
  for (const local of ours) {
    const first = lookup(local.uid);
    if (!first) {
      unresolved.push(local.uid);
      continue;
    }
    if (!belongsTo(first, local.id, companyId) || isLive(first)) continue;
    let current = first;
    let hops = 0;
    while (current.rescheduledToUid && hops < MAX_HOPS) {
      const next = lookup(current.rescheduledToUid);
      if (!next) break;
      current = next;
      hops += 1;
    }
    if (current.rescheduledToUid && !isLive(current)) {
      unresolved.push(local.uid); // a successor Cal.com did not show
      continue;
    }
    if (!belongsTo(current, local.id, companyId)) continue;
    if (!isLive(current)) changes.push({ kind: 'cancelled', bookingId: local.id, uid: local.uid, remote: current });
    else if (current.uid !== local.uid) changes.push({ kind: 'moved', bookingId: local.id, previousUid: local.uid, remote: current });
  }
  return { changes, unresolved };
}

/** The uids findDrift will ask for beyond those listed (successors not in the listing). */
export function missingSuccessors(listed: Map<string, RemoteBooking>, ours: LocalBooking[]): string[] {
  const missing = new Set<string>();
  for (const local of ours) {
    let current = listed.get(local.uid);
    if (!current) {
      missing.add(local.uid);
      continue;
    }
    for (let hops = 0; current?.rescheduledToUid && hops < MAX_HOPS; hops += 1) {
      const next: RemoteBooking | undefined = listed.get(current.rescheduledToUid);
      if (!next) {
        missing.add(current.rescheduledToUid);
        break;
      }
      current = next;
    }
  }
  return [...missing];
}
