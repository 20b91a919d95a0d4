// Access tokens minted by the bench itself, in the shape edge-auth issues
// them, so a variant can send a different valid token on every request (no
// per-isolate memo of verified tokens can help it). Signed with node:crypto,
// which is several times faster than jose here and keeps minting short.

import { createPrivateKey, sign } from "node:crypto";

const decode = (part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** node:crypto's digest argument for each algorithm the bench mints with. */
const DIGESTS = { EdDSA: null, RS256: "sha256" };

/**
 * `count` Authorization headers, each a token like `template` (same claims,
 * same `typ`) with its own `jti` and a fresh `iat`/`exp` of the same lifetime,
 * signed with `privateJwk` (one of the service's keys) and naming it.
 */
export function mintAuthorizations(template, privateJwk, count) {
  const [headerPart = "", payloadPart = ""] = template.split(".");
  const header = { ...decode(headerPart), alg: privateJwk.alg, kid: privateJwk.kid };
  const payload = decode(payloadPart);
  const digest = DIGESTS[privateJwk.alg];
  if (digest === undefined) throw new Error(`cannot mint ${privateJwk.alg} tokens`);
  const key = createPrivateKey({ key: privateJwk, format: "jwk" });
  const lifetime = payload.exp - payload.iat;
  const now = Math.floor(Date.now() / 1000);
  const encodedHeader = encode(header);
  const authorizations = [];
  for (let i = 0; i < count; i++) {
    const claims = { ...payload, jti: crypto.randomUUID(), iat: now, exp: now + lifetime };
    const input = `${encodedHeader}.${encode(claims)}`;
    const signature = sign(digest, Buffer.from(input), key).toString("base64url");
    authorizations.push(`Bearer ${input}.${signature}`);
  }
  return authorizations;
}
