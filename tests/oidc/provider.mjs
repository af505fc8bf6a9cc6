// A real OpenID Connect provider for the test suite: the certified `oidc-provider` package (a
// devDependency in package.json, installed by `npm ci`), standing in for the organisation's login
// (Entra ID, AD FS, or Keycloak in front of NemLog-in). It listens on 127.0.0.1 on a free port,
// with one confidential client that must use PKCE, the users it is given, and a plain login form
// of its own. tests/oidc/__init__.py starts it; nothing here is used outside the tests.
//
// Configured from the environment:
//   OIDC_TEST_CLIENT_ID, OIDC_TEST_CLIENT_SECRET   the client Helhedsplan signs in as
//   OIDC_TEST_REDIRECT_URI                         the live server's /oidc/callback/
//   OIDC_TEST_POST_LOGOUT_REDIRECT_URI             where the provider returns after logging out
//   OIDC_TEST_USERS      JSON: [{"login", "password", "sub", "claims": {"email", ...}}]
//   OIDC_TEST_CODE_TTL   seconds an authorization code lives (60 unless given)
//
// It prints one JSON line when it listens ({"event": "listening", "issuer"}) and one for each
// thing the tests may want to check: a refused token request and why, a finished logout.

import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const env = process.env;
const users = JSON.parse(env.OIDC_TEST_USERS);
const bySubject = new Map(users.map((user) => [user.sub, user]));
const byLogin = new Map(users.map((user) => [user.login, user]));

function report(event, details = {}) {
  process.stdout.write(`${JSON.stringify({ event, ...details })}\n`);
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The provider's own pages: no inline script or style and nothing fetched from elsewhere (the
// defaults load a web font from the internet).
function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function loginForm(uid, error = '') {
  return page('Test organisation: sign in', `
${error ? `<p role="alert" id="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
  <label for="login">User name</label> <input id="login" name="login" autocomplete="username">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password">
  <button type="submit">Sign in</button>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

// A fresh signing key for every run: the tests check that the ID token's signature is verified
// against the keys the provider publishes, and no key is kept in the repository.
const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: `test-${randomBytes(4).toString('hex')}`,
  use: 'sig',
  alg: 'RS256',
};

function configuration() {
  return {
    clients: [{
      client_id: env.OIDC_TEST_CLIENT_ID,
      client_secret: env.OIDC_TEST_CLIENT_SECRET,
      // A confidential web client. oidc-provider accepts http redirect URIs for web clients using
      // the code flow (it refuses them only for the implicit flow): the live server speaks plain
      // HTTP on 127.0.0.1, where production has https.
      application_type: 'web',
      redirect_uris: [env.OIDC_TEST_REDIRECT_URI],
      post_logout_redirect_uris: [env.OIDC_TEST_POST_LOGOUT_REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    // Every authorization request must carry an S256 code challenge.
    pkce: { methods: ['S256'], required: () => true },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    async findAccount(ctx, sub) {
      const user = bySubject.get(sub);
      return user && { accountId: sub, claims: async () => ({ sub, ...user.claims }) };
    },
    ttl: {
      AuthorizationCode: Number(env.OIDC_TEST_CODE_TTL || 60),
      AccessToken: 600,
      IdToken: 600,
      Interaction: 600,
      Grant: 3600,
      Session: 3600,
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page('Test organisation: sign out', `${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Test organisation: signed out', '<p>You are signed out.</p>');
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Test organisation: error', `<p id="error">${escape(out.error)}: ${escape(out.error_description)}</p>`);
    },
  };
}

// The login form of the organisation and, for this first-party client, consent without asking.
async function interaction(provider, req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, page('Test organisation: error', '<p>Unknown interaction.</p>'));
    return;
  }
  if (details.prompt.name === 'login') {
    if (req.method === 'GET') {
      send(res, 200, loginForm(uid));
      return;
    }
    const form = await readForm(req);
    const user = byLogin.get(form.get('login'));
    if (!user || user.password !== form.get('password')) {
      send(res, 200, loginForm(uid, 'Unknown user name or wrong password.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }
  const { prompt: { details: missing }, params, session } = details;
  const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, {
    mergeWithLastSubmission: true,
  });
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration());
  // error_detail says why, where the answer to the client only says that it was refused.
  provider.on('grant.error', (ctx, error) => {
    report('grant.error', { error: error.error, detail: error.error_detail });
  });
  provider.on('authorization.error', (ctx, error) => {
    report('authorization.error', { error: error.error, detail: error.error_detail });
  });
  provider.on('end_session.success', (ctx) => {
    report('end_session.success', { client: ctx.oidc.client?.clientId });
  });
  provider.on('server_error', (ctx, error) => report('server_error', { error: String(error) }));
  const handle = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url, issuer).pathname);
    if (!match) {
      handle(req, res);
      return;
    }
    interaction(provider, req, res, match[1]).catch((error) => {
      report('server_error', { error: String(error) });
      send(res, 400, page('Test organisation: error', `<p id="error">${escape(error.message)}</p>`));
    });
  });
  report('listening', { issuer });
});

// Everything it holds is in memory and for one test run: stop at once, open connections or not.
process.on('SIGTERM', () => process.exit(0));
