// The path a user takes, over real HTTP against `wrangler dev` on 127.0.0.1:
// signup -> me -> verify with the published JWKS -> refresh -> login -> logout.

import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { startDevServer } from "./wrangler-dev.mjs";

let server;
before(async () => {
  server = await startDevServer();
});
after(async () => {
  await server?.stop();
});

const email = `e2e-${Date.now()}@example.com`;
const password = "correct horse battery staple";
let pair;

async function post(path, body) {
  return fetch(`${server.base}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

test("signup answers 201 with a token pair", async () => {
  const response = await post("/auth/signup", { email, password });
  assert.equal(response.status, 201);
  pair = await response.json();
  assert.equal(pair.token_type, "Bearer");
  assert.equal(pair.expires_in, 900);
  assert.match(pair.refresh_token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(pair.user.email, email);
});

test("/auth/me answers from the access token", async () => {
  const response = await fetch(`${server.base}/auth/me`, {
    headers: { Authorization: `Bearer ${pair.access_token}` },
  });
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.id, pair.user.id);
  assert.equal(body.email, email);
});

test("the access token verifies against the published JWKS alone", async () => {
  const jwks = createRemoteJWKSet(new URL(`${server.base}/.well-known/jwks.json`));
  const { payload, protectedHeader } = await jwtVerify(pair.access_token, jwks, {
    issuer: "http://127.0.0.1:8787",
    audience: "edge-auth",
    algorithms: ["EdDSA"],
    typ: "at+jwt",
  });
  assert.equal(payload.sub, pair.user.id);
  assert.equal(protectedHeader.alg, "EdDSA");
});

test("refresh rotates the pair and the old refresh token dies", async () => {
  const response = await post("/auth/refresh", { refresh_token: pair.refresh_token });
  assert.equal(response.status, 200);
  const next = await response.json();
  assert.notEqual(next.refresh_token, pair.refresh_token);

  const replay = await post("/auth/refresh", { refresh_token: pair.refresh_token });
  assert.equal(replay.status, 401);
  pair = next;
});

test("login with the right password works, a wrong one is a 401", async () => {
  assert.equal((await post("/auth/login", { email, password })).status, 200);
  const wrong = await post("/auth/login", { email, password: "not the password" });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get("Content-Type"), "application/problem+json");
});

test("logout ends the session: its refresh token no longer works", async () => {
  const response = await post("/auth/logout", { refresh_token: pair.refresh_token });
  assert.equal(response.status, 204);
  const after = await post("/auth/refresh", { refresh_token: pair.refresh_token });
  assert.equal(after.status, 401);
});

test("a client that disconnects mid-upload is no server error", async () => {
  const { port } = new URL(server.base);
  const socket = connect(Number(port), "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(
    "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
      'Content-Length: 5000\r\n\r\n{"email": "a@b.co",',
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const errors = server.output
    .join("")
    .split("\n")
    .filter((line) => line.includes('"level":"error"'));
  assert.deepEqual(errors, []);
});
