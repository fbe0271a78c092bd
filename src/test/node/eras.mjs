// The official TypeScript MCP SDK v2 client (@modelcontextprotocol/client) against one torii-mcp
// backend URL, in one of its two eras: "modern" pins 2026-07-28 (server/discover, no initialize,
// no session, per-request _meta, Mcp-Method/Mcp-Name headers); "legacy" is the 2025 handshake
// (initialize, Mcp-Session-Id). Either way the user first signs in through the gateway's login
// broker with the SDK's own OAuth client (sign-in.mjs), then the client lists the tools and calls
// one.
//
// Every HTTP exchange with the MCP URL is recorded from the client's side (its fetch), so the
// caller can check what went over the wire: methods, the version and method headers, and any
// Mcp-Session-Id the server sent.
//
// Usage: node eras.mjs <mcp-server-url> <username> <password> <modern|legacy> <tool> <arguments-json>
// Prints, last, one JSON line: {"mode", "signedIn", "accessToken", "era", "protocolVersion",
// "serverInfo", "sessionId", "tools", "result", "exchanges"}
import { auth, Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { InMemoryProvider, signIn } from './sign-in.mjs';

const [serverUrl, username, password, mode, tool, argumentsJson] = process.argv.slice(2);
const negotiation = { modern: { mode: { pin: '2026-07-28' } }, legacy: { mode: 'legacy' } }[mode];
if (!negotiation) throw new Error(`mode must be modern or legacy, not ${mode}`);

const provider = new InMemoryProvider(`TypeScript SDK v2 ${mode} client`, `ts-sdk-v2-${mode}`);
const signedIn = await signIn(auth, provider, serverUrl, username, password);

const exchanges = [];
const mcpUrl = new URL(serverUrl).href;
async function recordingFetch(url, init = {}) {
  const response = await fetch(url, init);
  if (new URL(String(url)).href === mcpUrl) {
    const headers = new Headers(init.headers || {});
    let messages = [];
    try {
      const body = JSON.parse(init.body);
      messages = Array.isArray(body) ? body : [body];
    } catch {
      // a GET or DELETE has no body
    }
    exchanges.push({
      httpMethod: init.method || 'GET',
      methods: messages.map((m) => m.method ?? 'response'),
      meta: messages.map((m) => m.params?._meta?.['io.modelcontextprotocol/protocolVersion'] ?? null),
      protocolVersionHeader: headers.get('mcp-protocol-version'),
      mcpMethodHeader: headers.get('mcp-method'),
      mcpNameHeader: headers.get('mcp-name'),
      sessionIdSent: headers.get('mcp-session-id'),
      authorization: headers.has('authorization'),
      status: response.status,
      sessionIdReceived: response.headers.get('mcp-session-id'),
    });
  }
  return response;
}

const client = new Client({ name: `torii-ts-sdk-v2-${mode}`, version: '1.0.0' },
  { versionNegotiation: negotiation });
const transport = new StreamableHTTPClientTransport(new URL(serverUrl),
  { authProvider: provider, fetch: recordingFetch });
await client.connect(transport);
const listed = await client.listTools();
const result = await client.callTool({ name: tool, arguments: JSON.parse(argumentsJson) });
const era = client.getProtocolEra();
const protocolVersion = client.getNegotiatedProtocolVersion();
const serverInfo = client.getServerVersion();
const sessionId = transport.sessionId ?? null;
await client.close();

console.log(JSON.stringify({
  mode,
  signedIn: { first: signedIn.first, second: signedIn.second, callback: signedIn.callback },
  accessToken: provider.saved.tokens?.access_token,
  era,
  protocolVersion,
  serverInfo,
  sessionId,
  tools: listed.tools.map((t) => t.name),
  result,
  exchanges,
}));
