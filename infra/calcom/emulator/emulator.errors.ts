/**
 * The emulator's failures, rendered the way Cal.com renders them: the Nest `HttpExceptionFilter`
 * envelope, the `PrismaExceptionFilter` constants, or the raw `{statusCode, message}` that Cal.com's
 * core library leaks past the filter (NOTES-calcom §2).
 */

const NEST_ERROR_NAMES: Record<number, [code: string, error: string]> = {
  400: ['BadRequestException', 'Bad Request'],
  401: ['UnauthorizedException', 'Unauthorized'],
  403: ['ForbiddenException', 'Forbidden'],
  404: ['NotFoundException', 'Not Found'],
  409: ['ConflictException', 'Conflict'],
  422: ['UnprocessableEntityException', 'Unprocessable Entity'],
  429: ['ThrottlerException', 'Too Many Requests'],
  500: ['InternalServerErrorException', 'Internal Server Error'],
  502: ['BadGatewayException', 'Bad Gateway'],
  503: ['ServiceUnavailableException', 'Service Unavailable'],
  504: ['GatewayTimeoutException', 'Gateway Timeout'],
};

export type ErrorStyle = 'nest' | 'prisma' | 'raw';

export class EmulatorHttpError extends Error {
  constructor(
    readonly status: number,
    message: string | string[],
    readonly style: ErrorStyle = 'nest',
    readonly prismaCode?: string,
  ) {
    super(Array.isArray(message) ? message.join('; ') : message);
    this.messages = message;
  }
  readonly messages: string | string[];

  body(path: string, now: Date): unknown {
    if (this.style === 'raw') return { statusCode: this.status, message: this.message };
    const timestamp = now.toISOString();
    if (this.style === 'prisma') {
      return { status: 'error', timestamp, path, error: { code: this.prismaCode ?? 'INTERNAL_SERVER_ERROR', message: this.message } };
    }
    const [code, error] = NEST_ERROR_NAMES[this.status] ?? [`HttpException`, 'Error'];
    // Nest's exception message for a validation array is the generic "Bad Request Exception".
    const message = Array.isArray(this.messages) ? `${error} Exception` : this.message;
    return { status: 'error', timestamp, path, error: { code, message, details: { message: this.messages, error, statusCode: this.status } } };
  }
}

export const badRequest = (message: string | string[]) => new EmulatorHttpError(400, message);
export const notFound = (message: string) => new EmulatorHttpError(404, message);
export const unauthorized = (message: string) => new EmulatorHttpError(401, message);

/** Prisma P2002 on `Booking.idempotencyKey` (event type + start + end + host). */
export const duplicateBooking = () =>
  new EmulatorHttpError(409, 'Invalid Input: Trying to create a record that already exists.', 'prisma', 'CONFLICT');

/** What an injected fault answers with, per status. */
export function faultError(status: number): EmulatorHttpError {
  if (status >= 500) {
    return status === 500
      ? new EmulatorHttpError(500, 'There was an error, please try again later.', 'prisma', 'INTERNAL_SERVER_ERROR')
      : new EmulatorHttpError(status, 'Upstream unavailable (injected fault)');
  }
  if (status === 429) return new EmulatorHttpError(429, 'ThrottlerException: Too Many Requests');
  return new EmulatorHttpError(status, `Injected fault ${status}`);
}
