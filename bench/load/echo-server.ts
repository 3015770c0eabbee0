/**
 * What the box and the load generator give with no server work at all: a plain `node:http` server that answers
 * every GET with one fixed body and every POST (its request body read to the end) with another, bytes captured
 * from the scorer's own answers, with no Redis, parsing or logging. The serving benchmark runs its fixed-rate
 * phases against it beside the scorer and the floor, so every run shows the latencies below which this machine
 * cannot measure a server (the generator, Redis, Kafka and the servers share its cores).
 *   node -r @swc-node/register bench/load/echo-server.ts <port> <bodies.json>   ({ "get": "...", "post": "..." })
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const port = Number(process.argv[2] ?? 3291);
const bodies = JSON.parse(readFileSync(process.argv[3], 'utf8')) as { get: string; post: string };
const answers = { GET: Buffer.from(bodies.get), POST: Buffer.from(bodies.post) };
const headers = (body: Buffer) => ({
  'content-type': 'application/json; charset=utf-8',
  'content-length': body.length,
});

createServer((request, response) => {
  const body = request.method === 'POST' ? answers.POST : answers.GET;
  request.resume();
  request.on('end', () => {
    response.writeHead(200, headers(body));
    response.end(body);
  });
}).listen(port, '127.0.0.1', () => process.stdout.write(`echo listening on ${port}\n`));
