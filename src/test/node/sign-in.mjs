// A user's authorization at torii-mcp through its login broker, driven by an official TypeScript
// MCP SDK's OAuth client (auth(): discovery per RFC 9728 and RFC 8414, dynamic client
// registration, PKCE, the authorization request, the code exchange). The "browser" part between
// the SDK's two auth() calls (the login-broker page, the consent page) is done with fetch and a
// cookie jar, as a user's browser would.
//
// Shared by oauth-flow.mjs (SDK v1) and eras.mjs (SDK v2): each passes its SDK's auth().

/** An OAuthClientProvider that keeps everything in memory, as a one-shot CLI client does. */
export class InMemoryProvider {
  constructor(clientName, state) {
    this.clientName = clientName;
    this.stateValue = state;
    this.saved = {};
  }
  get redirectUrl() { return 'http://127.0.0.1:8976/callback'; }
  get clientMetadata() {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state() { return this.stateValue; }
  clientInformation() { return this.saved.client; }
  saveClientInformation(info) { this.saved.client = info; }
  tokens() { return this.saved.tokens; }
  saveTokens(tokens) { this.saved.tokens = tokens; }
  redirectToAuthorization(url) { this.saved.authorizationUrl = url; }
  saveCodeVerifier(verifier) { this.saved.verifier = verifier; }
  codeVerifier() { return this.saved.verifier; }
  // Kept with the verifier, so that SDK v2 can bind the callback to the authorization server
  // it discovered (SEP-2352).
  saveDiscoveryState(state) { this.saved.discovery = state; }
  discoveryState() { return this.saved.discovery; }
}

function hidden(html, name) {
  const match = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
  if (!match) throw new Error(`no hidden field ${name} in page`);
  return match[1];
}

function form(fields) {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

/**
 * Runs auth() to the redirect, signs the user in and approves, then runs auth() with the code.
 * Returns both auth() results, the authorization URL and the callback's state and iss.
 */
export async function signIn(auth, provider, serverUrl, username, password) {
  const cookies = new Map();
  async function browse(url, init = {}) {
    const headers = new Headers(init.headers || {});
    if (cookies.size) {
      headers.set('Cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair.indexOf('=');
      cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
    return response;
  }

  const first = await auth(provider, { serverUrl });
  const authorizationUrl = provider.saved.authorizationUrl;
  if (!authorizationUrl) throw new Error('the SDK did not ask for a redirect');

  const origin = new URL(serverUrl).origin;
  const loginPage = await browse(authorizationUrl);
  const loginHtml = await loginPage.text();
  if (loginPage.status !== 200) throw new Error(`login page: HTTP ${loginPage.status}: ${loginHtml}`);
  const request = hidden(loginHtml, 'request');
  const csrf = hidden(loginHtml, 'csrf');
  const login = await browse(`${origin}/authorize/login`, form({ request, csrf, username, password }));
  if (login.status !== 303) throw new Error(`login: HTTP ${login.status}`);
  const consentPage = await browse(new URL(login.headers.get('location'), origin));
  const consentHtml = await consentPage.text();
  const approved = await browse(`${origin}/authorize/consent`,
    form({ request, csrf: hidden(consentHtml, 'csrf'), decision: 'approve' }));
  if (approved.status !== 303) throw new Error(`consent: HTTP ${approved.status}`);
  const callback = new URL(approved.headers.get('location'));
  const code = callback.searchParams.get('code');
  const iss = callback.searchParams.get('iss') ?? undefined;

  const second = await auth(provider, { serverUrl, authorizationCode: code, iss });
  return {
    first,
    second,
    authorizationUrl: String(authorizationUrl),
    callback: { state: callback.searchParams.get('state'), iss: iss ?? null },
  };
}
