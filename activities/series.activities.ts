/**
 * Activities of the recurring-series workflows (contract: workflows/series.contract.ts
 * SeriesActivities). The series row and its planned occurrences are written by the API before
 * the workflow starts; these activities record each outcome (an idempotent upsert on
 * series id + index), find the same-day alternative with the pure engine, and list the booked
 * occurrences a cancel must undo.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { pickSameDayAlternative } from '../domain/recurrence/occurrence-alternative';
import { localDateOf, zoneOf } from '../domain/scheduling/local-time';
import type { Db } from '../infra/db/prisma';
import { newId } from '../infra/db/ids';
import type { OccurrenceRecord, SeriesActivities, SeriesAlternativeRequest } from '../workflows/series.contract';
import { findFreeSlots } from './waitlist-slots';

export interface SeriesActivityDeps {
  db: Db;
  clock: () => Date;
}

export function createSeriesActivities({ db, clock }: SeriesActivityDeps) {
  const activities: SeriesActivities = {
    async recordSeriesOccurrence(r: OccurrenceRecord): Promise<void> {
      const data = {
        status: r.status,
        reason: r.reason ?? null,
        alternatives: (r.alternatives ?? []) as object,
        ...(r.bookingId !== undefined ? { bookingId: r.bookingId } : {}),
        ...(r.start ? { start: new Date(r.start) } : {}),
      };
      const existing = await db.seriesOccurrence.findUnique({ where: { seriesId_index: { seriesId: r.seriesId, index: r.index } } });
      if (existing) {
        await db.seriesOccurrence.update({ where: { id: existing.id }, data });
        return;
      }
      if (!r.start) throw ApplicationFailure.nonRetryable(`occurrence ${r.seriesId}#${r.index} was never planned`, 'NotFound');
      await db.seriesOccurrence.create({ data: { id: newId('occ'), seriesId: r.seriesId, index: r.index, start: new Date(r.start), ...data } });
    },

    async findSeriesAlternative(req: SeriesAlternativeRequest) {
      const series = await db.series.findUnique({ where: { id: req.seriesId } });
      const branch = series && (await db.branch.findUnique({ where: { id: series.branchId }, select: { timezone: true } }));
      if (!series || !branch) return null;
      const day = localDateOf(Date.parse(req.start), zoneOf(branch.timezone));
      const found = await findFreeSlots(db, clock(), {
        companyId: series.companyId,
        branchId: series.branchId,
        serviceId: series.serviceId,
        customerId: series.customerId,
        from: day,
        to: day,
      });
      if (!found) return null;
      return pickSameDayAlternative({ start: req.start, staffId: req.staffId }, found.slots, found.timezone);
    },

    async finishSeries({ seriesId, status }): Promise<void> {
      // A cancel that already finished the series wins over a late `completed`.
      const where = status === 'completed' ? { id: seriesId, status: 'running' } : { id: seriesId };
      await db.series.updateMany({ where, data: { status } });
    },

    async listSeriesBookings({ seriesId, from }) {
      const rows = await db.seriesOccurrence.findMany({
        where: { seriesId, status: 'booked', bookingId: { not: null }, start: { gte: new Date(from) } },
        orderBy: { index: 'asc' },
        select: { index: true, bookingId: true },
      });
      return rows.map((r) => ({ index: r.index, bookingId: r.bookingId as string }));
    },
  };
  return activities;
}

export type SeriesActivityFns = ReturnType<typeof createSeriesActivities>;
