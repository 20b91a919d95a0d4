import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { BASE } from "./helpers";

const APP = "https://app.example.com";
const corsEnv = { ...env, CORS_ORIGINS: `${APP}, https://admin.example.com` };

function send(path: string, init: RequestInit) {
  return worker.fetch(new Request(`${BASE}${path}`, init), corsEnv, createExecutionContext());
}

describe("CORS", () => {
  it("echoes a listed origin with credentials", async () => {
    const response = await send("/.well-known/jwks.json", { headers: { Origin: APP } });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    expect(response.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(response.headers.get("Vary")).toContain("Origin");
  });

  it("never echoes an origin that is not listed, nor allows it credentials", async () => {
    for (const origin of ["https://evil.example", "https://app.example.com.evil.example", "null"]) {
      const response = await send("/.well-known/jwks.json", { headers: { Origin: origin } });
      expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
      expect(response.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    }
  });

  it("answers a preflight from a listed origin", async () => {
    const response = await send("/auth/login", {
      method: "OPTIONS",
      headers: { Origin: APP, "Access-Control-Request-Method": "POST" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    expect(response.headers.get("Access-Control-Allow-Methods")).toContain("POST");
    expect(response.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
  });

  it("answers a preflight from an unlisted origin without any CORS grant", async () => {
    const response = await send("/auth/login", {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
    });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(response.headers.get("Access-Control-Allow-Methods")).toBeNull();
  });

  it("allows no origin at all by default", async () => {
    const response = await worker.fetch(
      new Request(`${BASE}/.well-known/jwks.json`, { headers: { Origin: APP } }),
      env,
      createExecutionContext(),
    );
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
