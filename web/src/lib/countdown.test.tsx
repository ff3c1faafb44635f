import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatWait, secondsLeft, useCountdown } from "./countdown";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe("secondsLeft", () => {
  it("rounds up and never goes below zero", () => {
    expect(secondsLeft(null, 1000)).toBe(0);
    expect(secondsLeft(61_000, 1000)).toBe(60);
    expect(secondsLeft(60_001, 1000)).toBe(60);
    expect(secondsLeft(1000, 1000)).toBe(0);
    expect(secondsLeft(500, 1000)).toBe(0);
  });
  it("formats minutes as m:ss", () => {
    expect(formatWait(42)).toBe("42 s");
    expect(formatWait(60)).toBe("1:00");
    expect(formatWait(125)).toBe("2:05");
  });
});

function Probe({ seconds }: { seconds: number }) {
  const { left, start } = useCountdown();
  return (
    <button type="button" disabled={left > 0} onClick={() => start(seconds)}>
      {left > 0 ? `wait ${left}` : "ready"}
    </button>
  );
}

describe("useCountdown", () => {
  it("counts down once a second and re-enables at zero", () => {
    vi.useFakeTimers();
    render(<Probe seconds={3} />);
    const button = screen.getByRole("button");
    act(() => button.click());
    expect(button.textContent).toBe("wait 3");
    expect((button as HTMLButtonElement).disabled).toBe(true);
    act(() => vi.advanceTimersByTime(1000));
    expect(button.textContent).toBe("wait 2");
    act(() => vi.advanceTimersByTime(2000));
    expect(button.textContent).toBe("ready");
    expect((button as HTMLButtonElement).disabled).toBe(false);
  });
});
