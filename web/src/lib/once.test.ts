import { beforeEach, describe, expect, it, vi } from "vitest";
import { resetTokensForTests, spendTokenOnce } from "./once";

beforeEach(resetTokensForTests);

describe("spendTokenOnce", () => {
  it("sends a token once however often it is asked (StrictMode's double effect)", async () => {
    const use = vi.fn(async (token: string) => `used ${token}`);
    const first = spendTokenOnce("verify", "t1", use);
    const second = spendTokenOnce("verify", "t1", use);
    expect(second).toBe(first);
    expect(await second).toBe("used t1");
    expect(use).toHaveBeenCalledTimes(1);
  });
  it("keeps kinds and tokens apart", async () => {
    const use = vi.fn(async () => "ok");
    await spendTokenOnce("verify", "t1", use);
    await spendTokenOnce("change", "t1", use);
    await spendTokenOnce("verify", "t2", use);
    expect(use).toHaveBeenCalledTimes(3);
  });
  it("shares a failure too: a refused token is not sent again", async () => {
    const use = vi.fn(async () => {
      throw new Error("used");
    });
    await expect(spendTokenOnce("verify", "bad", use)).rejects.toThrow("used");
    await expect(spendTokenOnce("verify", "bad", use)).rejects.toThrow("used");
    expect(use).toHaveBeenCalledTimes(1);
  });
});
