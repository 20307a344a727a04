/**
 * Errors the service layer raises on purpose. Each one carries a stable code and a
 * message written for the person who has to act on it; the API maps them to HTTP.
 */
export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `settings.syncIntervalMinutes`. */
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  constructor(message: string, readonly details: FieldIssue[] = []) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is malformed; `details` names each bad field and how to fix it. */
export class ValidationError extends AppError {
  readonly code = 'validation_failed';
  readonly status = 400;
}

/** Someone else changed or claimed the entity first (ETag mismatch or a taken unique key). */
export class ConflictError extends AppError {
  readonly code = 'conflict';
  readonly status = 409;
}

/** The entity does not exist, or the caller may not know that it exists. */
export class NotFoundError extends AppError {
  readonly code = 'not_found';
  readonly status = 404;
}

/** A service we depend on (Microsoft Graph, a carrier) failed or refused; its words are in the message. */
export class UpstreamError extends AppError {
  readonly code: string = 'upstream_failed';
  readonly status: number = 502;
}

/** A service we depend on is busy or down for now: worth retrying later. */
export class UpstreamUnavailableError extends UpstreamError {
  override readonly code: string = 'upstream_unavailable';
  override readonly status: number = 503;
}

/** No valid credentials. */
export class UnauthorizedError extends AppError {
  readonly code = 'unauthorized';
  readonly status = 401;
}

/** Valid credentials, but not allowed to do this. */
export class ForbiddenError extends AppError {
  readonly code = 'forbidden';
  readonly status = 403;
}
