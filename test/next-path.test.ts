import { describe, expect, it } from "vitest";
import { DEFAULT_NEXT, safeNext } from "../src/web/next-path";

describe("safeNext: no open redirect", () => {
  it.each([
    ["/app/", "/app/"],
    ["/app/settings?tab=2", "/app/settings?tab=2"],
    ["/app/../admin/", "/admin/"],
    ["/app/#fragment", "/app/"],
  ])("keeps the same-origin path %j", (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });

  it.each([
    [undefined],
    [""],
    ["https://evil.example/"],
    ["//evil.example/"],
    ["///evil.example/"],
    ["/\\evil.example/"],
    ["\\\\evil.example"],
    ["/\t/evil.example"],
    ["/\n/evil.example"],
    ["javascript:alert(1)"],
    ["app/"],
    ["http:/evil.example"],
    [`/${"a".repeat(2000)}`],
    // Dot segments that collapse into a scheme-relative URL (found by a break-it session).
    ["/.//evil.example/phish"],
    ["/x/..//evil.example"],
    ["/%2e//evil.example"],
    ["/a/%2e%2e//evil.example"],
    ["/app/../..//evil.example/x?y"],
  ])("falls back to the default for %j", (input) => {
    expect(safeNext(input)).toBe(DEFAULT_NEXT);
  });
});
