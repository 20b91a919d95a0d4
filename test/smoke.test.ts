import { describe, expect, it } from "vitest";
import { me, signUp } from "./helpers";

describe("smoke", () => {
  it("signs up and reads /auth/me", async () => {
    const pair = await signUp();
    const response = await me(pair.access_token);
    expect(response.status).toBe(200);
  });
});
