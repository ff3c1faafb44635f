// A QR code drawn by React as one SVG path: no canvas, no data: URL, no
// innerHTML, and nothing sent anywhere (the otpauth:// URI holds the TOTP
// secret; a QR service on the network would see it). The encoder is the
// `qrcode` package, loaded only when a user sets up MFA (it stays out of the
// initial bundle).

/** The modules (dark squares) of a QR symbol, row by row. */
export interface QrModules {
  size: number;
  data: ArrayLike<number>;
}

/** Quiet zone in modules around the symbol: scanners need four. */
export const QUIET_ZONE = 4;

/**
 * One path for all dark modules: a run of dark modules in a row is one
 * rectangle ("M x y h n v 1 h -n z"), which keeps the path short.
 */
export function qrPath({ size, data }: QrModules, margin = QUIET_ZONE): string {
  const parts: string[] = [];
  for (let row = 0; row < size; row += 1) {
    let col = 0;
    while (col < size) {
      if (!data[row * size + col]) {
        col += 1;
        continue;
      }
      const start = col;
      while (col < size && data[row * size + col]) col += 1;
      parts.push(`M${start + margin} ${row + margin}h${col - start}v1h-${col - start}z`);
    }
  }
  return parts.join("");
}

/** Encodes text (the otpauth:// URI) into modules; loads the encoder on first use. */
export async function encodeQr(text: string): Promise<QrModules> {
  const { create } = await import("qrcode");
  return create(text, { errorCorrectionLevel: "M" }).modules;
}
