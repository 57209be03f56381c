import { manageLinkFor, REVIEW_LINK_DAYS, reviewLinkFor } from './links';
import { verifyBookingToken } from './tokens';

const config = { selfServiceSecret: 's3cret', publicBaseUrl: 'https://book.example.com' };
const end = new Date('2027-03-08T11:00:00.000Z');
const tokenOf = (url: string) => url.replace('https://book.example.com/b/', '');

describe('self-service links', () => {
  it('the manage link is valid until the booking ends', () => {
    const url = manageLinkFor(config, { id: 'bkg_a', end });
    expect(url).toMatch(/^https:\/\/book\.example\.com\/b\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyBookingToken(tokenOf(url), config.selfServiceSecret, new Date(end.getTime() - 1))).toEqual({ bookingId: 'bkg_a', expiresAt: end });
    expect(verifyBookingToken(tokenOf(url), config.selfServiceSecret, end)).toBeUndefined();
  });

  it(`the review link lives ${REVIEW_LINK_DAYS} days past the end, fixed by the booking (asking again never extends it)`, () => {
    const url = reviewLinkFor(config, { id: 'bkg_a', end });
    const expiresAt = new Date(end.getTime() + REVIEW_LINK_DAYS * 86_400_000);
    expect(verifyBookingToken(tokenOf(url), config.selfServiceSecret, new Date(expiresAt.getTime() - 1))).toEqual({ bookingId: 'bkg_a', expiresAt });
    expect(verifyBookingToken(tokenOf(url), config.selfServiceSecret, expiresAt)).toBeUndefined();
    expect(reviewLinkFor(config, { id: 'bkg_a', end })).toBe(url);
  });
});
