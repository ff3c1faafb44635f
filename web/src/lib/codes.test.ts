import { describe, expect, it } from "vitest";
import {
  groupSecret,
  normaliseRecoveryCode,
  normaliseTotpCode,
  parseSecondFactor,
  recoveryCodesText,
} from "./codes";
import {
  disableMfaSchema,
  emailChangeSchema,
  mfaLoginSchema,
  mfaRecoveryLoginSchema,
} from "./validation";

describe("authenticator codes", () => {
  it("drops the spaces and dashes people paste", () => {
    expect(normaliseTotpCode("123 456")).toBe("123456");
    expect(normaliseTotpCode(" 123-456 ")).toBe("123456");
    expect(normaliseTotpCode("12 34 56")).toBe("123456");
  });
  it("accepts exactly six digits", () => {
    expect(mfaLoginSchema.safeParse({ code: "123 456" })).toMatchObject({
      success: true,
      data: { code: "123456" },
    });
    for (const bad of ["", "12345", "1234567", "12345a", "١٢٣٤٥٦"]) {
      const result = mfaLoginSchema.safeParse({ code: bad });
      expect(result.success, bad).toBe(false);
    }
  });
});

describe("recovery codes", () => {
  it("puts capitals, spaces and a missing dash into the issued form", () => {
    expect(normaliseRecoveryCode("ABCDE-FGHIJ")).toBe("abcde-fghij");
    expect(normaliseRecoveryCode(" abcde fghij ")).toBe("abcde-fghij");
    expect(normaliseRecoveryCode("abcdefghij")).toBe("abcde-fghij");
    expect(normaliseRecoveryCode("abc")).toBe("abc");
  });
  it("refuses what cannot be one", () => {
    expect(mfaRecoveryLoginSchema.safeParse({ code: "Abcde Fghij" })).toMatchObject({
      success: true,
      data: { code: "abcde-fghij" },
    });
    for (const bad of ["", "abcde-fghi", "abcde-fghijk", "abcde_fghij", "123456"]) {
      expect(mfaRecoveryLoginSchema.safeParse({ code: bad }).success, bad).toBe(false);
    }
  });
});

describe("either code (turning MFA off)", () => {
  it("tells the app's code from a recovery code", () => {
    expect(parseSecondFactor("123 456")).toEqual({ kind: "totp", code: "123456" });
    expect(parseSecondFactor("ABCDE FGHIJ")).toEqual({ kind: "recovery", code: "abcde-fghij" });
    expect(parseSecondFactor("12345")).toBeNull();
    expect(parseSecondFactor("")).toBeNull();
  });
  it("sends the canonical form", () => {
    expect(disableMfaSchema.safeParse({ password: "pw", code: "ABCDEFGHIJ" })).toMatchObject({
      success: true,
      data: { code: "abcde-fghij" },
    });
    expect(disableMfaSchema.safeParse({ password: "", code: "123456" }).success).toBe(false);
  });
});

describe("e-mail change", () => {
  it("asks for the code only with MFA on", () => {
    const input = { newEmail: "new@example.com", password: "pw" };
    expect(emailChangeSchema(false).safeParse(input).success).toBe(true);
    expect(emailChangeSchema(true).safeParse(input).success).toBe(false);
    expect(emailChangeSchema(true).safeParse({ ...input, code: "123 456" })).toMatchObject({
      success: true,
      data: { code: "123456" },
    });
  });
});

describe("presentation", () => {
  it("groups the secret by four for typing", () => {
    expect(groupSecret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")).toBe(
      "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP",
    );
    expect(groupSecret("ABCDEF")).toBe("ABCD EF");
  });
  it("writes the codes file with one code a line", () => {
    const text = recoveryCodesText(
      ["aaaaa-bbbbb", "ccccc-ddddd"],
      "me@example.com",
      new Date("2026-12-02T08:00:00Z"),
    );
    const lines = text.split("\n");
    expect(lines[0]).toBe("Rampart recovery codes for me@example.com");
    expect(lines).toContain("aaaaa-bbbbb");
    expect(lines).toContain("ccccc-ddddd");
    expect(text).toContain("2026-12-02");
  });
});
