/**
 * The demo site of `npm run start:auth`: a site of its own, on its own origin, with its own sign-in,
 * embedding the widget from the BFF the way a real site does in authenticated mode. It serves its
 * page, its identity provider's public keys (the BFF's AUTH_JWKS_URL) and `POST /token`, the page's
 * sign-in, which hands a five-minute token to whoever asks: a demo, on this machine only.
 */
import { readFile } from 'node:fs/promises';
import { type ServerResponse, createServer } from 'node:http';
import { port, text, url } from '../protocol/env.ts';
import { IdentityProvider } from './identity-provider.ts';

const env = process.env;
const PORT = port(env, 'PORT', 3001);
const HOST = text(env, 'HOST', '127.0.0.1');
const BFF_URL = url(env, 'BFF_URL');
const AUTH_ISSUER = text(env, 'AUTH_ISSUER');
const AUTH_AUDIENCE = text(env, 'AUTH_AUDIENCE');
if (!BFF_URL || !AUTH_ISSUER || !AUTH_AUDIENCE)
  throw new Error('The demo site needs BFF_URL, AUTH_ISSUER and AUTH_AUDIENCE (dev/start.ts sets them)');
/** The users the page signs in, one per chat. */
const USERS = new Set(['alice', 'bob']);

const provider = await IdentityProvider.create(AUTH_ISSUER, AUTH_AUDIENCE);
const page = (await readFile(new URL('./demo-site.html', import.meta.url), 'utf8')).replaceAll('{{BFF_URL}}', BFF_URL);
const favicon = await readFile(new URL('../demo/favicon.svg', import.meta.url));
const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'self'; script-src 'self' 'unsafe-inline' ${BFF_URL}; connect-src 'self' ${BFF_URL}; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://site');
  if (req.method === 'GET' && url.pathname === '/') return void res.writeHead(200, pageHeaders).end(page);
  if (req.method === 'GET' && url.pathname === '/favicon.svg')
    return void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(favicon);
  if (req.method === 'GET' && url.pathname === '/.well-known/jwks.json') return json(res, 200, provider.jwks());
  if (req.method === 'POST' && url.pathname === '/token') {
    const user = url.searchParams.get('user') ?? '';
    if (!USERS.has(user)) return json(res, 400, { error: `Sign in as one of ${[...USERS].join(', ')}` });
    return json(res, 200, { token: await provider.token(user), expires_in: 300 });
  }
  json(res, 404, { error: 'Not here' });
}).listen(PORT, HOST, () =>
  console.log(`demo site with its own sign-in on http://${HOST}:${PORT} (identity provider ${AUTH_ISSUER})`),
);
