// A real OpenID Connect provider (the certified `oidc-provider` package) for the SSO tests.
//
//   node tests/support/oidc/provider.mjs --client-id ID --client-secret SECRET --slug SLUG
//
// It listens on 127.0.0.1 on a free port, prints one JSON line {"issuer": ...} on standard
// output, and serves until it is killed. One confidential client (code flow, PKCE, client
// secret) whose redirect URI is the portal's /sso/SLUG/callback on a loopback address: a
// "native" client, so the loopback port may be any (RFC 8252), as the tests' live server's is.
// The interaction is our own minimal one: a form that asks which test account signs in; the
// account decides the `amr` the session gets. No consent screen: the grant is first-party.
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    slug: { type: 'string', default: 'local' },
  },
});

// The test accounts: verified and unverified addresses, with and without multi-factor amr.
export const ACCOUNTS = {
  manager: { email: 'manager@council.example', email_verified: true, amr: ['pwd', 'otp'], name: 'Mo Manager' },
  'manager-upper': { email: 'Manager@Council.Example', email_verified: true, amr: ['pwd'], name: 'Mo Manager' },
  staff: { email: 'staff@council.example', email_verified: true, amr: ['pwd'], name: 'Sam Staff' },
  'mfa-claim': { email: 'staff@council.example', email_verified: true, amr: ['mfa'], name: 'Sam Staff' },
  unverified: { email: 'staff@council.example', email_verified: false, amr: ['pwd'], name: 'Una Verified' },
  stranger: { email: 'nobody@council.example', email_verified: true, amr: ['pwd'], name: 'No Body' },
};

function account(id) {
  const found = ACCOUNTS[id];
  if (!found) return undefined;
  return {
    accountId: id,
    claims: async () => ({ sub: id, email: found.email, email_verified: found.email_verified, name: found.name }),
  };
}

const loopbackCallbacks = ['127.0.0.1', 'localhost'].map(
  (host) => `http://${host}/sso/${args.slug}/callback`,
);
const signedOut = ['127.0.0.1', 'localhost'].map((host) => `http://${host}/sso/signed-out`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body><main><h1>${title}</h1>${body}</main></body></html>`;
}

function loginForm(uid) {
  const options = Object.keys(ACCOUNTS)
    .map((id) => `<option value="${id}">${id} (${ACCOUNTS[id].email})</option>`).join('');
  return page('Test identity provider', `<form method="post" action="/interaction/${uid}/login">`
    + `<label for="account">Account</label> <select id="account" name="account">${options}</select>`
    + ' <button type="submit">Sign in</button></form>');
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'POST' && req.url.endsWith('/login')) {
    const chosen = (await readForm(req)).get('account');
    if (!ACCOUNTS[chosen]) {
      res.writeHead(400, { 'content-type': 'text/html' });
      res.end(page('Unknown account', '<p>No such test account.</p>'));
      return;
    }
    await provider.interactionFinished(req, res, {
      login: { accountId: chosen, amr: ACCOUNTS[chosen].amr, remember: false },
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (details.prompt.name === 'consent') { // first-party: consent without a page
    const grant = new provider.Grant({ clientId: details.params.client_id, accountId: details.session.accountId });
    grant.addOIDCScope(details.params.scope);
    const { missingOIDCClaims = [] } = details.prompt.details;
    if (missingOIDCClaims.length) grant.addOIDCClaims(missingOIDCClaims);
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } },
      { mergeWithLastSubmission: true });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(loginForm(details.jti));
}

async function firstPartyGrant(ctx) {
  const grant = new ctx.oidc.provider.Grant({
    clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
  });
  grant.addOIDCScope('openid email profile');
  await grant.save();
  return grant;
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      application_type: 'native',
      redirect_uris: loopbackCallbacks,
      post_logout_redirect_uris: signedOut,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    claims: { openid: ['sub', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false, // the ID token carries the email claims itself
    cookies: { keys: ['tests-only-cookie-key'] },
    findAccount: (_ctx, id) => account(id),
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, found) => `/interaction/${found.uid}` },
    loadExistingGrant: firstPartyGrant,
    pkce: { required: () => true },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interaction(provider, req, res).catch((error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
      return;
    }
    callback(req, res);
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
