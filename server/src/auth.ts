import type { RequestHandler, Response } from 'express';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { AuthConfig } from './config.ts';
import { HttpError } from './http-errors.ts';
import type { Logger } from './logger.ts';

/** Who is calling, in authenticated mode: the verified token's subject. */
export interface Caller {
  sub: string;
}

declare global {
  namespace Express {
    interface Locals {
      /** Set by requireBearer once the caller's token is verified. */
      caller?: Caller;
    }
  }
}

/** Signatures with a public key only: an HMAC (`HS256`) token could be forged with the public key itself. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** A subject longer than this is refused: it is kept as a rate-limit key. */
const MAX_SUBJECT_CHARS = 255;
/** jose's codes for a token that is the caller's fault (401); anything else is ours or the identity provider's (503). */
const TOKEN_FAULTS = new Set([
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
]);
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** 401 with the RFC 6750 challenge, which a site's code can read (CORS exposes WWW-Authenticate). */
function unauthorized(res: Response, code: 'unauthorized' | 'invalid_token'): HttpError {
  res.setHeader('www-authenticate', code === 'invalid_token' ? 'Bearer error="invalid_token"' : 'Bearer');
  return new HttpError(code);
}

/**
 * Authenticated mode: a chat request must carry `Authorization: Bearer <JWT>`, signed by one of the
 * identity provider's keys, for AUTH_ISSUER and AUTH_AUDIENCE, unexpired, with a subject. The
 * caller is then `res.locals.caller`; otherwise the answer is a 401 JSON error.
 */
export function requireBearer(config: AuthConfig, logger: Logger): RequestHandler {
  const { jwksUrl, issuer, audience, keysCooldownMs } = config;
  // The identity provider's public keys: fetched on first use, kept 10 minutes, and fetched again
  // for a key id they lack (a rotation), at most every keysCooldownMs.
  const keys = createRemoteJWKSet(jwksUrl, {
    timeoutDuration: 5000,
    cooldownDuration: keysCooldownMs,
    cacheMaxAge: 10 * 60_000,
  });
  return async (req, res, next) => {
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return next(unauthorized(res, 'unauthorized'));
    let sub: unknown;
    try {
      ({
        payload: { sub },
      } = await jwtVerify(token, keys, { issuer, audience, algorithms: ALGORITHMS, requiredClaims: ['sub', 'exp'] }));
    } catch (error) {
      if (error instanceof errors.JOSEError && TOKEN_FAULTS.has(error.code)) {
        return next(unauthorized(res, 'invalid_token'));
      }
      logger.error(
        { request_id: res.locals.requestId, jwks: jwksUrl.href, error: String(error) },
        'identity provider keys unavailable',
      );
      return next(new HttpError('auth_unavailable'));
    }
    if (typeof sub !== 'string' || !sub || sub.length > MAX_SUBJECT_CHARS) {
      return next(unauthorized(res, 'invalid_token'));
    }
    res.locals.caller = { sub };
    next();
  };
}
