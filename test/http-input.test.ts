import { describe, expect, it } from "vitest";
import { call, expectProblem, PASSWORD, postJson, uniqueEmail } from "./helpers";

const ROUTES = ["/auth/signup", "/auth/login", "/auth/refresh", "/auth/logout"];

const post = (path: string, body: BodyInit | null, type = "application/json") =>
  call(path, { method: "POST", headers: { "Content-Type": type }, body });

describe.each(ROUTES)("POST %s with a bad body", (path) => {
  it("malformed JSON is a 400", async () => {
    await expectProblem(await post(path, '{"email": '), 400, "invalid_json");
  });

  it("a JSON value that is not an object is a 400", async () => {
    for (const body of ["[]", '"text"', "42", "null"]) {
      await expectProblem(await post(path, body), 400, "invalid_request");
    }
  });

  it("an empty body is a 400", async () => {
    await expectProblem(await post(path, ""), 400, "invalid_json");
  });

  it("invalid UTF-8 is a 400", async () => {
    await expectProblem(await post(path, new Uint8Array([0x7b, 0xff, 0x7d])), 400, "invalid_json");
  });

  it("a wrong or missing content type is a 415", async () => {
    await expectProblem(await post(path, "{}", "text/plain"), 415, "unsupported_media_type");
    await expectProblem(
      await call(path, { method: "POST", body: "{}" }),
      415,
      "unsupported_media_type",
    );
  });

  it("an oversized body is a 413, declared or streamed", async () => {
    const big = JSON.stringify({ email: "x", password: "y".repeat(20_000) });
    await expectProblem(await post(path, big), 413, "body_too_large");

    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(1024)));
        controller.close();
      },
    });
    // No Content-Length: the limit must hold while reading.
    await expectProblem(await post(path, stream), 413, "body_too_large");
  });
});

describe("other HTTP edges", () => {
  it("accepts a JSON content type with a charset parameter", async () => {
    const response = await post(
      "/auth/signup",
      JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      "application/json; charset=utf-8",
    );
    expect(response.status).toBe(201);
  });

  it("answers an unknown route with a 404 problem", async () => {
    await expectProblem(await call("/nope"), 404, "not_found");
  });

  it("answers the wrong method with a 4xx problem, not a 500", async () => {
    const response = await call("/auth/signup");
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  });

  it("puts security headers on success and error responses alike", async () => {
    const ok = await call("/.well-known/jwks.json");
    const error = await postJson("/auth/login", {});
    for (const response of [ok, error]) {
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      expect(response.headers.get("Referrer-Policy")).toBe("same-origin");
      expect(response.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    }
  });
});
