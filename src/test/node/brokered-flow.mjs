// The official TypeScript MCP SDK's OAuth client and MCP client against a gateway backend whose
// users sign in at the backend's own identity provider (auth.type: oauth2). The browser part
// (the IdP's login page, the gateway's consent page) is done by the caller in a real browser:
// this script prints the authorization URL on one line ({"authorizationUrl": ...}), then reads
// the authorization code from stdin, finishes the SDK's flow and calls a tool.
//
// Usage: node brokered-flow.mjs <mcp-server-url> <redirect-url> <tool> <arguments-json>
// Prints, last, one JSON line: {"first", "second", "tokens", "tools", "result"}
import { createInterface } from 'node:readline';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [serverUrl, redirectUrl, tool, argumentsJson] = process.argv.slice(2);

class InMemoryProvider {
  constructor() {
    this.saved = {};
  }
  get redirectUrl() { return redirectUrl; }
  get clientMetadata() {
    return {
      client_name: 'TypeScript SDK brokered test client',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  state() { return 'ts-sdk-brokered-state'; }
  clientInformation() { return this.saved.client; }
  saveClientInformation(info) { this.saved.client = info; }
  tokens() { return this.saved.tokens; }
  saveTokens(tokens) { this.saved.tokens = tokens; }
  redirectToAuthorization(url) { this.saved.authorizationUrl = url; }
  saveCodeVerifier(verifier) { this.saved.verifier = verifier; }
  codeVerifier() { return this.saved.verifier; }
}

const provider = new InMemoryProvider();
const first = await auth(provider, { serverUrl });
if (!provider.saved.authorizationUrl) throw new Error('the SDK did not ask for a redirect');
console.log(JSON.stringify({ authorizationUrl: String(provider.saved.authorizationUrl) }));

const lines = createInterface({ input: process.stdin });
const code = await new Promise((resolve) => lines.once('line', (line) => resolve(line.trim())));
lines.close();

const second = await auth(provider, { serverUrl, authorizationCode: code });

const mcp = new Client({ name: 'torii-ts-sdk-brokered-test', version: '1.0.0' });
const transport = new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider });
await mcp.connect(transport);
const listed = await mcp.listTools();
const result = await mcp.callTool({ name: tool, arguments: JSON.parse(argumentsJson) });
await mcp.close();

console.log(JSON.stringify({
  first,
  second,
  tokens: provider.saved.tokens,
  tools: listed.tools.map((t) => t.name),
  result,
}));
