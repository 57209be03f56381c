import type { ValidateBookingInput } from './rule.types';
export type { BookingLimits, BusyInterval } from '../../scheduling/scheduling.types';
export type ValidateBookingInputLike = Omit<ValidateBookingInput, 'booking'>;
