/**
 * The floor of the serving benchmark: the least a server can do for the same answers, plain `node:http` + ioredis
 * with no framework, auth, validation or logging: one Redis read of the stored score per customer and its JSON out.
 * `node -r @swc-node/register bench/load/floor-server.ts <port>`; REDIS_URL as the services read it.
 *   GET  /v1/customers/:id/score   -> the score (404 without one)
 *   POST /v1/scores:batchGet       -> { scores, missing } for { customerIds }
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Redis from 'ioredis';
import { fromScoreHash, scoreKey } from '@cvp/redis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const port = Number(process.argv[2] ?? 3290);
const SCORE_PATH = /^\/v1\/customers\/([^/]+)\/score$/;

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(body);
}

async function scores(ids: string[]): Promise<(string | null)[]> {
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(scoreKey(id));
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, hash]) => {
    if (error) throw error;
    const fields = hash as Record<string, string>;
    return Object.keys(fields).length === 0 ? null : JSON.stringify(fromScoreHash(fields));
  });
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = request.url ?? '/';
  const single = request.method === 'GET' ? SCORE_PATH.exec(url) : null;
  if (single) {
    const [score] = await scores([decodeURIComponent(single[1])]);
    return score === null ? send(response, 404, '{"statusCode":404}') : send(response, 200, score);
  }
  if (request.method === 'POST' && url === '/v1/scores:batchGet') {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const ids = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { customerIds: string[] }).customerIds;
    const found = await scores(ids);
    const held = found.filter((score): score is string => score !== null);
    const missing = ids.filter((_, i) => found[i] === null);
    return send(response, 200, `{"scores":[${held.join(',')}],"missing":${JSON.stringify(missing)}}`);
  }
  send(response, 404, '{"statusCode":404}');
}

createServer((request, response) => {
  handle(request, response).catch(() => send(response, 500, '{"statusCode":500}'));
}).listen(port, '127.0.0.1', () => process.stdout.write(`floor listening on ${port}\n`));
