// The MCP benchmark's non-JDK upstream (-Dbench.upstream=node): petstore-v3's getPetById and a
// login-broker login endpoint on Node's own http module with its defaults (keep-alive on,
// keepAliveTimeout 5 s, Nagle off), as a small real API would run. It listens on a free
// loopback port and prints "listening <port>". GET /__bench/connections answers how many TCP
// connections it has accepted so far, so the benchmark can show connection reuse per row.
'use strict';
const http = require('http');

const pet = JSON.stringify({ id: 7, name: 'Rex', photoUrls: [], status: 'available' });
const token = JSON.stringify({ access_token: 'bench-upstream-token' });
let connections = 0;

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url.startsWith('/api/v3/pet/')) {
      send(res, 200, pet);
    } else if (req.url === '/login') {
      send(res, 200, token);
    } else if (req.url === '/__bench/connections') {
      if (!req.socket.benchQuery) { // the benchmark's own connection is not counted
        req.socket.benchQuery = true;
        connections--;
      }
      send(res, 200, String(connections));
    } else {
      send(res, 404, '{}');
    }
  });
});
server.on('connection', () => { connections++; });
if (process.env.BENCH_KEEPALIVE_MS) {
  server.keepAliveTimeout = Number(process.env.BENCH_KEEPALIVE_MS);
}
server.listen(0, '127.0.0.1', () => {
  console.log('listening ' + server.address().port);
});
process.stdin.on('end', () => process.exit(0)); // ends with the benchmark
process.stdin.resume();
