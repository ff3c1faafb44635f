// A one-time link's token must be used once, even when React runs an effect
// twice (StrictMode mounts, unmounts and mounts again in development) or the
// page re-renders: the second use would fail ("already used") and hide the
// first one's success. One promise per token for the page's lifetime.

const started = new Map<string, Promise<unknown>>();

/** Runs `use(token)` the first time a token is seen; later calls get the same promise. */
export function spendTokenOnce<T>(
  kind: string,
  token: string,
  use: (token: string) => Promise<T>,
): Promise<T> {
  const key = `${kind}:${token}`;
  let run = started.get(key) as Promise<T> | undefined;
  if (!run) {
    run = use(token);
    started.set(key, run);
  }
  return run;
}

/** Tests: forget the tokens seen. */
export function resetTokensForTests(): void {
  started.clear();
}
