// Drives torii-mcp's authorization with the official TypeScript MCP SDK's OAuth client (auth()):
// discovery (RFC 9728, RFC 8414), dynamic client registration, PKCE, the authorization
// request, then the code exchange. The "browser" part between the two calls (login-broker page,
// consent page) is done here with fetch and a cookie jar, as a user's browser would.
//
// Then the SDK's MCP client connects with the same provider: initialize, tools/list, tools/call.
//
// Usage: node oauth-flow.mjs <mcp-server-url> <username> <password>
// Prints one JSON line: {"first", "second", "tokens", "client", "tools", "whoAmI", ...}
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [serverUrl, username, password] = process.argv.slice(2);

class InMemoryProvider {
  constructor() {
    this.saved = {};
  }
  get redirectUrl() { return 'http://127.0.0.1:8976/callback'; }
  get clientMetadata() {
    return {
      client_name: 'TypeScript SDK test client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state() { return 'ts-sdk-state'; }
  clientInformation() { return this.saved.client; }
  saveClientInformation(info) { this.saved.client = info; }
  tokens() { return this.saved.tokens; }
  saveTokens(tokens) { this.saved.tokens = tokens; }
  redirectToAuthorization(url) { this.saved.authorizationUrl = url; }
  saveCodeVerifier(verifier) { this.saved.verifier = verifier; }
  codeVerifier() { return this.saved.verifier; }
}

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

const provider = new InMemoryProvider();
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

const second = await auth(provider, { serverUrl, authorizationCode: code });

const mcp = new Client({ name: 'torii-ts-sdk-test', version: '1.0.0' });
await mcp.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider }));
const listed = await mcp.listTools();
const whoAmI = await mcp.callTool({ name: 'whoAmI', arguments: {} });
const created = await mcp.callTool({ name: 'createNote', arguments: { body: { title: 'From the TS SDK' } } });
await mcp.close();

console.log(JSON.stringify({
  tools: listed.tools.map((t) => t.name),
  whoAmI: whoAmI.structuredContent,
  created: created.structuredContent,
  first,
  second,
  authorizationUrl: String(authorizationUrl),
  callback: { state: callback.searchParams.get('state'), iss: callback.searchParams.get('iss') },
  client: provider.saved.client,
  tokens: provider.saved.tokens,
}));
