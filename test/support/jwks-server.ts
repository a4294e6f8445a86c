import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IdentityProvider } from '../../dev/identity-provider.ts';

export interface JwksServer {
  provider: IdentityProvider;
  /** The JWKS URL, for AUTH_JWKS_URL. */
  url: string;
  /** How many times the keys were fetched. */
  fetches: number;
  /** The BFF's environment for authenticated mode against this provider. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** An identity provider with keys made for this test, its JWKS served on an ephemeral port. */
export async function startJwksServer(): Promise<JwksServer> {
  const server: Server = createServer((_req, res) => {
    jwks.fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks.provider.jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  const issuer = 'https://id.test.example/';
  const audience = 'agent-chat-test';
  const jwks: JwksServer = {
    provider: await IdentityProvider.create(issuer, audience),
    url,
    fetches: 0,
    env: { AUTH_JWKS_URL: url, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return jwks;
}
