/**
 * Catalog rows render their instants in their branch's time zone: the Prisma include that reads
 * it with the row, and the row type it yields. One definition for services, staff and resources.
 */
export const withBranchZone = { branch: { select: { timezone: true } } } as const;
export type WithBranchZone<Row> = Row & { branch: { timezone: string } };
