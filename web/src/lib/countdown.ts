import { useEffect, useState } from "react";

/** Whole seconds left until `until` (epoch ms), never negative; 0 when unset. */
export function secondsLeft(until: number | null, now: number = Date.now()): number {
  if (until === null) return 0;
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** "Resend the link (in 42 s)", "(in 2:05)" past a minute. */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return `${minutes}:${String(rest).padStart(2, "0")}`;
}

/**
 * A button's cool-down after it sent something (a resent link): `start(s)`
 * disables it for `s` seconds, `left` counts down once a second and reaches
 * 0 when it may be pressed again. Throttling here is for the user (no
 * pointless second e-mail); the API throttles for real.
 */
export function useCountdown(): { left: number; start: (seconds: number) => void } {
  const [until, setUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const left = secondsLeft(until, now);
  useEffect(() => {
    if (until === null || left === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until, left]);
  return {
    left,
    start: (seconds: number) => {
      const at = Date.now();
      setNow(at);
      setUntil(at + seconds * 1000);
    },
  };
}
