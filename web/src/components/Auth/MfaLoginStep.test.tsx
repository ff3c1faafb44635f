import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getSession, resetAuthForTests } from "../../lib/auth";
import { setFetch } from "../../lib/graphql-client";
import { MfaLoginStep } from "./MfaLoginStep";

beforeEach(resetAuthForTests);
afterEach(cleanup);

function json(body: unknown) {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
}

/** A fake API for completeMfaLogin: `answer(code)` says what it returns. */
function fakeApi(answer: (code: string) => unknown) {
  const sent: { challengeToken: string; code: string }[] = [];
  setFetch(async (_url, init) => {
    const body = JSON.parse(init.body as string);
    if (body.operationName !== "CompleteMfaLogin") {
      throw new Error(`unexpected ${body.operationName}`);
    }
    sent.push(body.variables.input);
    return json(answer(body.variables.input.code));
  });
  return sent;
}

const TOKEN = {
  accessToken: "tok",
  expiresIn: 900,
  sessionId: "s1",
  securityNotice: null,
};

function renderStep() {
  const props = {
    onSignedIn: vi.fn(async () => undefined),
    onRestart: vi.fn(),
    onEmailNotVerified: vi.fn(),
  };
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MfaLoginStep challengeToken="chal-1" {...props} />
    </QueryClientProvider>,
  );
  return props;
}

const submit = (code: string) => {
  fireEvent.input(screen.getByRole("textbox"), { target: { value: code } });
  fireEvent.click(screen.getByRole("button", { name: "Verify" }));
};

describe("MfaLoginStep", () => {
  it("offers a numeric one-time-code field, sends the normalised code and signs in", async () => {
    const sent = fakeApi(() => ({ data: { completeMfaLogin: TOKEN } }));
    const props = renderStep();
    const field = screen.getByLabelText("Authentication code");
    expect(field.getAttribute("inputmode")).toBe("numeric");
    expect(field.getAttribute("autocomplete")).toBe("one-time-code");
    submit("123 456");
    await waitFor(() => expect(props.onSignedIn).toHaveBeenCalled());
    expect(sent).toEqual([{ challengeToken: "chal-1", code: "123456" }]);
    expect(getSession()?.accessToken).toBe("tok");
  });

  it("checks the code before sending it", async () => {
    const sent = fakeApi(() => ({ data: { completeMfaLogin: TOKEN } }));
    renderStep();
    submit("12345");
    expect(
      await screen.findByText("Enter the 6-digit code from your authenticator app."),
    ).toBeTruthy();
    expect(sent).toEqual([]);
  });

  it("says a wrong code on the field", async () => {
    fakeApi(() => ({
      errors: [
        {
          message: "That code is not right.",
          extensions: { code: "BAD_USER_INPUT", field: "code" },
        },
      ],
    }));
    const props = renderStep();
    submit("000000");
    await waitFor(() =>
      expect(screen.getByLabelText("Authentication code").getAttribute("aria-invalid")).toBe(
        "true",
      ),
    );
    expect(screen.getByText("That code is not right.")).toBeTruthy();
    expect(props.onRestart).not.toHaveBeenCalled();
    expect(getSession()).toBeNull();
  });

  it("goes back to the password step when the challenge has ended", async () => {
    fakeApi(() => ({
      errors: [{ message: "Log in again.", extensions: { code: "UNAUTHENTICATED" } }],
    }));
    const props = renderStep();
    submit("123456");
    await waitFor(() => expect(props.onRestart).toHaveBeenCalledTimes(1));
  });

  it("takes a recovery code instead, in its issued form", async () => {
    const sent = fakeApi(() => ({ data: { completeMfaLogin: TOKEN } }));
    const props = renderStep();
    fireEvent.click(screen.getByRole("button", { name: "Use a recovery code instead" }));
    expect(screen.getByLabelText("Recovery code")).toBeTruthy();
    submit("ABCDE FGHIJ");
    await waitFor(() => expect(props.onSignedIn).toHaveBeenCalled());
    expect(sent).toEqual([{ challengeToken: "chal-1", code: "abcde-fghij" }]);
  });

  it("shows the verify-e-mail state when the address still needs verifying", async () => {
    fakeApi(() => ({
      errors: [{ message: "Verify your e-mail.", extensions: { code: "EMAIL_NOT_VERIFIED" } }],
    }));
    const props = renderStep();
    submit("123456");
    await waitFor(() => expect(props.onEmailNotVerified).toHaveBeenCalledTimes(1));
    expect(getSession()).toBeNull();
  });
});
