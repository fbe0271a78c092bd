// The official TypeScript MCP SDK v2 client (@modelcontextprotocol/client) on a torii-mcp backend
// served dynamically (issue 16): after signing in through the login broker (sign-in.mjs) it lists
// the tools, searches, describes the best hit, calls it through call_tool and then directly by
// its name, and sends the same unknown name and the same invalid arguments both ways.
//
// Usage: node dynamic.mjs <mcp-server-url> <username> <password> <modern|legacy> <query> <tool>
//        <arguments-json> <invalid-arguments-json>
// Prints, last, one JSON line: {"protocolVersion", "tools", "search", "describe", "viaCallTool",
// "direct", "unknownViaCallTool", "unknownDirect", "invalidViaCallTool", "invalidDirect"}; a
// JSON-RPC error is recorded as {"error": {"code", "message"}}.
import { auth, Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { InMemoryProvider, signIn } from './sign-in.mjs';

const [serverUrl, username, password, mode, query, tool, argumentsJson, invalidJson] =
  process.argv.slice(2);
const negotiation = { modern: { mode: { pin: '2026-07-28' } }, legacy: { mode: 'legacy' } }[mode];
if (!negotiation) throw new Error(`mode must be modern or legacy, not ${mode}`);

const provider = new InMemoryProvider(`TypeScript SDK v2 ${mode} client`, `ts-dynamic-${mode}`);
await signIn(auth, provider, serverUrl, username, password);

const client = new Client({ name: `torii-ts-dynamic-${mode}`, version: '1.0.0' },
  { versionNegotiation: negotiation });
await client.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider }));

async function call(name, args) {
  try {
    return await client.callTool({ name, arguments: args });
  } catch (error) {
    return { error: { code: error.code, message: error.message } };
  }
}

const args = JSON.parse(argumentsJson);
const invalid = JSON.parse(invalidJson);
const listed = await client.listTools();
const run = {
  protocolVersion: client.getNegotiatedProtocolVersion(),
  tools: listed.tools,
  search: await call('search_tools', { query, limit: 5 }),
  describe: await call('describe_tool', { name: tool }),
  viaCallTool: await call('call_tool', { name: tool, arguments: args }),
  direct: await call(tool, args),
  unknownViaCallTool: await call('call_tool', { name: 'no_such_tool', arguments: {} }),
  unknownDirect: await call('no_such_tool', {}),
  invalidViaCallTool: await call('call_tool', { name: tool, arguments: invalid }),
  invalidDirect: await call(tool, invalid),
};
await client.close();
console.log(JSON.stringify(run));
