import { describe, expect, it } from "vitest";
import {
  changePasswordSchema as changePasswordFor,
  createUserSchema,
  DEFAULT_PASSWORD_LIMITS,
  itemSchema,
  loginSchema,
  resetPasswordSchema as resetPasswordFor,
  updateUserSchema as updateUserFor,
} from "./validation";

const resetPasswordSchema = resetPasswordFor(DEFAULT_PASSWORD_LIMITS);
const changePasswordSchema = changePasswordFor(DEFAULT_PASSWORD_LIMITS);
const updateUserSchema = updateUserFor(DEFAULT_PASSWORD_LIMITS);

describe("mirrors of the API rules", () => {
  it("passwords are 8–128 characters", () => {
    const ok = (p: string) =>
      resetPasswordSchema.safeParse({ newPassword: p, confirmPassword: p }).success;
    expect(ok("a".repeat(7))).toBe(false);
    expect(ok("a".repeat(8))).toBe(true);
    expect(ok("a".repeat(128))).toBe(true);
    expect(ok("a".repeat(129))).toBe(false);
  });
  it("password limits follow what the API publishes", () => {
    const strict = resetPasswordFor({ min: 12, max: 20 });
    const ok = (p: string) => strict.safeParse({ newPassword: p, confirmPassword: p }).success;
    expect(ok("a".repeat(11))).toBe(false);
    expect(ok("a".repeat(12))).toBe(true);
    expect(ok("a".repeat(21))).toBe(false);
    const edit = updateUserFor({ min: 12, max: 20 });
    expect(
      edit.safeParse({ email: "a@b.co", fullName: "", password: "a".repeat(11) }).success,
    ).toBe(false);
  });
  it("e-mail is valid and at most 255 characters", () => {
    expect(loginSchema.safeParse({ email: "a@b.co", password: "x" }).success).toBe(true);
    expect(loginSchema.safeParse({ email: "not-an-email", password: "x" }).success).toBe(false);
    const long = `${"a".repeat(250)}@b.com`;
    expect(loginSchema.safeParse({ email: long, password: "x" }).success).toBe(false);
  });
  it("title is 1–255 characters, description at most 255", () => {
    expect(itemSchema.safeParse({ title: " ", description: "" }).success).toBe(false);
    expect(itemSchema.safeParse({ title: "t".repeat(255), description: "" }).success).toBe(true);
    expect(itemSchema.safeParse({ title: "t".repeat(256), description: "" }).success).toBe(false);
    expect(itemSchema.safeParse({ title: "t", description: "d".repeat(256) }).success).toBe(false);
  });
  it("confirmation must match and a new password must differ", () => {
    const r = changePasswordSchema.safeParse({
      currentPassword: "same-password",
      newPassword: "same-password",
      confirmPassword: "same-password",
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["newPassword"]);
    const m = resetPasswordSchema.safeParse({
      newPassword: "long enough",
      confirmPassword: "other one",
    });
    expect(m.error?.issues[0]?.path).toEqual(["confirmPassword"]);
  });
  it("checkboxes become booleans; an empty admin password means keep it", () => {
    expect(createUserSchema.parse({ email: "a@b.co", fullName: "", isActive: "on" })).toEqual({
      email: "a@b.co",
      fullName: null,
      isActive: true,
      isSuperuser: false,
    });
    expect(
      updateUserSchema.parse({ email: "a@b.co", fullName: "A", password: "" }).password,
    ).toBeNull();
    expect(
      updateUserSchema.safeParse({ email: "a@b.co", fullName: "", password: "short" }).success,
    ).toBe(false);
  });
});
