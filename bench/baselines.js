// Baselines, each in its own process (the runner pins it like the service), answering scenario 1:
//
//   node bench/baselines.js b1 FILE   bare node:http answering the exact bytes and content-type of
//                                     the service's response (FILE: { contentType, body } as captured)
//   node bench/baselines.js b2 FILE   Apollo Server 5 with our SDL (schema/schema.graphql through
//                                     graphql's buildSchema, default resolvers) answering the same
//                                     data from memory (FILE: { data }, the response's `data`)
//
// Both read the request body as a server must, and print {"event":"ready","url":...} when listening.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const readBody = (req) =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

async function bare(captured) {
  const body = Buffer.from(captured.body, 'utf8');
  return http.createServer(async (req, res) => {
    await readBody(req);
    res.writeHead(200, { 'content-type': captured.contentType, 'content-length': body.length }).end(body);
  });
}

async function apollo(captured) {
  const { ApolloServer, HeaderMap } = require('@apollo/server');
  const { buildSchema } = require('graphql');
  const schema = buildSchema(fs.readFileSync(path.join(__dirname, '..', 'schema', 'schema.graphql'), 'utf8'));
  const server = new ApolloServer({ schema, rootValue: captured.data, introspection: false });
  await server.start();
  return http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const text = req.method === 'POST' ? await readBody(req) : '';
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      const result = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: text ? JSON.parse(text) : undefined },
        context: async () => ({}),
      });
      for (const [name, value] of result.headers) res.setHeader(name, value);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') return res.end(result.body.string);
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
}

(async () => {
  const [kind, file] = process.argv.slice(2);
  const captured = JSON.parse(fs.readFileSync(file, 'utf8'));
  const server = kind === 'b1' ? await bare(captured) : await apollo(captured);
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ event: 'ready', url: `http://127.0.0.1:${server.address().port}` })}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
