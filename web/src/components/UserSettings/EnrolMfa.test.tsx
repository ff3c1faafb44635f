import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetAuthForTests } from "../../lib/auth";
import { setFetch } from "../../lib/graphql-client";
import { EnrolMfa } from "./EnrolMfa";

beforeEach(resetAuthForTests);
afterEach(cleanup);

function json(body: unknown) {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
}

const CODES = Array.from({ length: 10 }, (_, i) => `abcd${i}-efgh${i}`);

function fakeApi() {
  const sent: { operation: string; variables: unknown }[] = [];
  setFetch(async (_url, init) => {
    const body = JSON.parse(init.body as string);
    sent.push({ operation: body.operationName, variables: body.variables });
    switch (body.operationName) {
      case "BeginMfaEnrolment":
        return json({
          data: {
            beginMfaEnrolment: {
              secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
              otpauthUri:
                "otpauth://totp/Rampart:me%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Rampart&algorithm=SHA1&digits=6&period=30",
              expiresAt: "2026-12-02T08:15:00Z",
            },
          },
        });
      case "ConfirmMfaEnrolment":
        return body.variables.input.code === "123456"
          ? json({ data: { confirmMfaEnrolment: { codes: CODES } } })
          : json({
              errors: [
                {
                  message: "That code is not right.",
                  extensions: { code: "BAD_USER_INPUT", field: "code" },
                },
              ],
            });
      case "RefreshSession":
        return json({
          errors: [{ message: "No session", extensions: { code: "UNAUTHENTICATED" } }],
        });
      default:
        throw new Error(`unexpected ${body.operationName}`);
    }
  });
  return sent;
}

describe("EnrolMfa", () => {
  it("password, then the QR code drawn here and the key, then the first code, then the codes once", async () => {
    const sent = fakeApi();
    const onDone = vi.fn();
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <EnrolMfa account="me@example.com" onCancel={() => undefined} onDone={onDone} />
      </QueryClientProvider>,
    );
    fireEvent.input(screen.getByLabelText("Your password"), { target: { value: "pw" } });
    fireEvent.click(screen.getByRole("button", { name: "Continue" }));

    const qr = await screen.findByTestId("mfa-qr");
    expect(qr.tagName.toLowerCase()).toBe("svg");
    expect(qr.getAttribute("aria-label")).toContain("me@example.com");
    expect(qr.querySelector("path")?.getAttribute("d")).toMatch(/^M\d+ \d+h\d+v1h-\d+z/);
    // Drawn in the page: no image or frame that could fetch anything.
    expect(document.querySelector("img, iframe")).toBeNull();
    expect(screen.getByTestId("mfa-secret").textContent).toBe(
      "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP",
    );

    fireEvent.input(screen.getByLabelText("Code from the app"), { target: { value: "000000" } });
    fireEvent.click(screen.getByRole("button", { name: "Turn on" }));
    expect(await screen.findByText("That code is not right.")).toBeTruthy();
    fireEvent.input(screen.getByLabelText("Code from the app"), { target: { value: "123 456" } });
    fireEvent.click(screen.getByRole("button", { name: "Turn on" }));

    const list = await screen.findByRole("list", { name: "Recovery codes" });
    expect(list.querySelectorAll("code")).toHaveLength(10);
    expect(screen.getByRole("button", { name: "Download as .txt" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "I have saved them" }));
    expect(onDone).toHaveBeenCalledTimes(1);
    await waitFor(() =>
      expect(sent.map((s) => s.operation)).toEqual([
        "BeginMfaEnrolment",
        "ConfirmMfaEnrolment",
        "ConfirmMfaEnrolment",
        "RefreshSession",
      ]),
    );
    expect(sent[0]?.variables).toEqual({ input: { password: "pw" } });
    expect(sent[2]?.variables).toEqual({ input: { code: "123456" } });
  });
});
