import { useState } from "react";
import { recoveryCodesText } from "../../lib/codes";

/**
 * Ten recovery codes, shown this once (the API keeps only their hashes):
 * copy them, download them as a text file, and say when they are saved.
 */
export function RecoveryCodes({
  codes,
  account,
  onDone,
}: {
  codes: readonly string[];
  account: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const text = recoveryCodesText(codes, account);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "rampart-recovery-codes.txt";
    link.click();
    // After the click has started the download.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };
  return (
    <div className="recovery-codes" data-testid="recovery-codes">
      <p>
        <strong>Save these recovery codes now.</strong> Each one lets you log in once without your
        authenticator app, should you lose it. They are shown only this once.
      </p>
      <ol className="code-list" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="inline-actions">
        <button type="button" className="secondary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="secondary" onClick={download}>
          Download as .txt
        </button>
        <button type="button" onClick={onDone}>
          I have saved them
        </button>
      </div>
      {copied === "yes" ? <p role="status">Copied to the clipboard.</p> : null}
      {copied === "failed" ? (
        <p role="status">The browser did not allow copying: download them or write them down.</p>
      ) : null}
    </div>
  );
}
