import { randomUUID } from 'node:crypto';
import { type CryptoKey, type JSONWebKeySet, type JWTPayload, SignJWT, exportJWK, generateKeyPair } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface TokenOptions {
  /** Defaults: the provider's issuer and audience, five minutes. */
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  /** Another key than the current one (a test's own, say). */
  key?: SigningKey;
}

/**
 * A stand-in for a site's identity provider, for the demo and the tests: ES256 keys made when it
 * starts, published as a JWKS, and short-lived tokens for whoever asks. It signs in anyone who
 * asks, so it is for this machine only; a real site's provider (Cognito, Auth0, Entra ID, its own)
 * publishes its JWKS the same way, and the BFF needs nothing else from it.
 */
export class IdentityProvider {
  readonly issuer: string;
  readonly audience: string;
  private current: SigningKey;
  private published: JSONWebKeySet;

  private constructor(issuer: string, audience: string, key: SigningKey, published: JSONWebKeySet) {
    this.issuer = issuer;
    this.audience = audience;
    this.current = key;
    this.published = published;
  }

  static async create(issuer: string, audience: string): Promise<IdentityProvider> {
    const { key, jwk } = await newKey();
    return new IdentityProvider(issuer, audience, key, { keys: [jwk] });
  }

  /** The public keys, as served at the JWKS URL. */
  jwks(): JSONWebKeySet {
    return this.published;
  }

  /** A signed token for `sub` (with any extra claims), as the site's sign-in would hand the page. */
  token(
    sub: string | undefined,
    claims: JWTPayload = {},
    { issuer = this.issuer, audience = this.audience, expiresIn = '5m', key = this.current }: TokenOptions = {},
  ): Promise<string> {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(expiresIn);
    if (sub !== undefined) jwt.setSubject(sub);
    return jwt.sign(key.privateKey);
  }

  /** Replaces the signing key: tokens signed with the old one stop verifying once the BFF fetches the keys again. */
  async rotate(): Promise<void> {
    const { key, jwk } = await newKey();
    this.current = key;
    this.published = { keys: [jwk] };
  }
}

/** A fresh ES256 key pair: the private half to sign, the public half as a JWK with its id. */
export async function newKey(): Promise<{ key: SigningKey; jwk: JSONWebKeySet['keys'][number] }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = randomUUID();
  return { key: { kid, privateKey }, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}
