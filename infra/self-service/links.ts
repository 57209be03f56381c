/**
 * The customer's links to a booking (API.md "The booking after confirmation"): the self-service
 * link in confirmations and reminders is valid until the booking ends; the review link sent after
 * completion outlives the appointment by REVIEW_LINK_DAYS. Both open `PUBLIC_BASE_URL/b/<token>`.
 */
import { manageUrl, signBookingToken } from './tokens';

export interface SelfServiceLinkConfig {
  selfServiceSecret: string;
  publicBaseUrl: string;
}

export const REVIEW_LINK_DAYS = 30;
const DAY = 86_400_000;

/** Valid until the booking ends (a moved booking's customer gets a new link with the new end). */
export function manageLinkFor(config: SelfServiceLinkConfig, booking: { id: string; end: Date }): string {
  return manageUrl(config.publicBaseUrl, signBookingToken({ bookingId: booking.id, expiresAt: booking.end }, config.selfServiceSecret));
}

/** Valid for REVIEW_LINK_DAYS after the booking's end (fixed by the booking: asking again never extends it). */
export function reviewLinkFor(config: SelfServiceLinkConfig, booking: { id: string; end: Date }): string {
  return manageUrl(config.publicBaseUrl, signBookingToken({ bookingId: booking.id, expiresAt: new Date(booking.end.getTime() + REVIEW_LINK_DAYS * DAY) }, config.selfServiceSecret));
}
