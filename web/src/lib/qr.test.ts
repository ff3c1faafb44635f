import { describe, expect, it } from "vitest";
import { encodeQr, QUIET_ZONE, qrPath } from "./qr";

describe("qrPath", () => {
  it("draws each run of dark modules as one rectangle, inside the quiet zone", () => {
    // 3x3: a full top row, a lone centre, two at the bottom corners.
    const data = [1, 1, 1, 0, 1, 0, 1, 0, 1];
    expect(qrPath({ size: 3, data }, 0)).toBe("M0 0h3v1h-3zM1 1h1v1h-1zM0 2h1v1h-1zM2 2h1v1h-1z");
    expect(qrPath({ size: 1, data: [1] })).toBe(`M${QUIET_ZONE} ${QUIET_ZONE}h1v1h-1z`);
    expect(qrPath({ size: 2, data: [0, 0, 0, 0] })).toBe("");
  });
  it("encodes an otpauth URI with the qrcode package (finder patterns in the corners)", async () => {
    const uri =
      "otpauth://totp/Rampart:me%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Rampart&algorithm=SHA1&digits=6&period=30";
    const modules = await encodeQr(uri);
    expect(modules.size).toBeGreaterThanOrEqual(21);
    expect((modules.size - 17) % 4).toBe(0);
    const at = (r: number, c: number) => modules.data[r * modules.size + c];
    // The 7x7 finder patterns: a dark ring at the top-left, top-right and bottom-left.
    for (const [r, c] of [
      [0, 0],
      [0, modules.size - 7],
      [modules.size - 7, 0],
    ] as const) {
      expect(at(r, c)).toBeTruthy();
      expect(at(r + 6, c + 6)).toBeTruthy();
      expect(at(r + 1, c + 1)).toBeFalsy();
      expect(at(r + 3, c + 3)).toBeTruthy();
    }
  });
});
