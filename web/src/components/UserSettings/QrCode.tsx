import { useEffect, useState } from "react";
import { encodeQr, QUIET_ZONE, qrPath } from "../../lib/qr";

/** The otpauth:// URI as a QR code for an authenticator app to scan, drawn here. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const [symbol, setSymbol] = useState<{ size: number; path: string } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    encodeQr(text).then(
      (modules) => live && setSymbol({ size: modules.size, path: qrPath(modules) }),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [text]);
  if (failed) {
    return (
      <p className="qr-missing">The QR code could not be drawn: enter the key below instead.</p>
    );
  }
  if (!symbol) {
    return (
      <div className="qr qr-loading" aria-busy="true">
        <span className="visually-hidden">Drawing the QR code…</span>
      </div>
    );
  }
  const extent = symbol.size + 2 * QUIET_ZONE;
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${extent} ${extent}`}
      shapeRendering="crispEdges"
      data-testid="mfa-qr"
    >
      {/* Dark on light in both themes: scanners expect it. */}
      <rect width={extent} height={extent} fill="#fff" />
      <path d={symbol.path} fill="#000" />
    </svg>
  );
}
