// Drives torii-mcp's authorization with the official TypeScript MCP SDK's OAuth client (auth()):
// discovery (RFC 9728, RFC 8414), dynamic client registration, PKCE, the authorization
// request, then the code exchange. The "browser" part between the two calls (login-broker page,
// consent page) is done by sign-in.mjs with fetch and a cookie jar, as a user's browser would.
//
// Then the SDK's MCP client connects with the same provider: initialize, tools/list, tools/call.
//
// Usage: node oauth-flow.mjs <mcp-server-url> <username> <password>
// Prints one JSON line: {"first", "second", "tokens", "client", "tools", "whoAmI", ...}
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryProvider, signIn } from './sign-in.mjs';

const [serverUrl, username, password] = process.argv.slice(2);

const provider = new InMemoryProvider('TypeScript SDK test client', 'ts-sdk-state');
const signedIn = await signIn(auth, provider, serverUrl, username, password);

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
  ...signedIn,
  client: provider.saved.client,
  tokens: provider.saved.tokens,
}));
