// A loopback proxy in front of one gateway: it adds `Authorization: Bearer $MCP_BEARER_TOKEN` to
// every request and forwards it otherwise unchanged (method, path, Host, Origin, body), streaming
// the answer back. The MCP conformance suite speaks to servers without authorization; through
// this proxy it tests the gateway's real /mcp/<backend> endpoint with a real token.
//
// Usage: MCP_BEARER_TOKEN=... node proxy.mjs http://localhost:<gateway port>
// Prints {"port": <its own port on 127.0.0.1>} once it listens; stops when stdin closes.
import http from 'node:http';

const target = new URL(process.argv[2]);
const token = process.env.MCP_BEARER_TOKEN;
if (!token) {
  console.error('MCP_BEARER_TOKEN is not set');
  process.exit(2);
}

const server = http.createServer((request, response) => {
  const headers = { ...request.headers, authorization: `Bearer ${token}` };
  const forwarded = http.request({
    host: target.hostname,
    port: target.port,
    method: request.method,
    path: request.url,
    headers,
  }, (answer) => {
    response.writeHead(answer.statusCode, answer.headers);
    answer.pipe(response);
  });
  forwarded.on('error', (error) => {
    if (!response.headersSent) {
      response.writeHead(502, { 'content-type': 'text/plain' });
    }
    response.end(`proxy: ${error.message}`);
  });
  request.pipe(forwarded);
});

server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
process.stdin.resume();
