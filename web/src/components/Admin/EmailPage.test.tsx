import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setFetch } from "../../lib/graphql-client";
import { describeTestEmail, EmailPage } from "./EmailPage";

afterEach(cleanup);

function json(body: unknown) {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
}

const PREVIEWS = [
  {
    name: "password_reset",
    subject: "Rampart: reset your password",
    html: "<!doctype html><html><body><p>Reset <script>parent.hacked = true</script></p></body></html>",
    text: "Open this link within 15 minutes:\nhttp://localhost:5173/reset-password?token=sample-token\n",
  },
  {
    name: "test",
    subject: "Rampart: test e-mail",
    html: "<p>test</p>",
    text: "This is a test e-mail",
  },
];

/** A fake API answering by operation name; `sendTestEmail` is what the mutation returns. */
function fakeApi(sendTestEmail: unknown) {
  const sent: unknown[] = [];
  setFetch(async (_url, init) => {
    const body = JSON.parse(init.body as string);
    switch (body.operationName) {
      case "Me":
        return json({
          data: {
            me: {
              id: "u1",
              email: "admin@rampart.dev",
              fullName: null,
              isSuperuser: true,
              isActive: true,
            },
          },
        });
      case "EmailPreviews":
        return json({ data: { emailPreviews: PREVIEWS } });
      case "SendTestEmail":
        sent.push(body.variables);
        return json({ data: { sendTestEmail } });
      default:
        throw new Error(`unexpected operation ${body.operationName}`);
    }
  });
  return sent;
}

/** The recipient field once the signed-in admin has loaded (it starts as their address). */
async function recipient(): Promise<HTMLInputElement> {
  await waitFor(() =>
    expect((screen.getByLabelText("Recipient") as HTMLInputElement).value).toBe(
      "admin@rampart.dev",
    ),
  );
  return screen.getByLabelText("Recipient") as HTMLInputElement;
}

function renderPage() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <EmailPage />
    </QueryClientProvider>,
  );
}

describe("describeTestEmail", () => {
  it("quotes the server's reply or the failure with its code", () => {
    expect(
      describeTestEmail({ accepted: true, serverReply: "250 OK", failure: null, error: null }),
    ).toEqual({ ok: true, text: "Accepted by the SMTP server: 250 OK" });
    expect(
      describeTestEmail({
        accepted: false,
        serverReply: null,
        failure: "CONNECTION" as never,
        error: "cannot connect to the SMTP server smtp:587",
      }),
    ).toEqual({
      ok: false,
      text: "Not sent (CONNECTION): cannot connect to the SMTP server smtp:587",
    });
  });
});

describe("EmailPage", () => {
  it("renders each preview's HTML in a sandboxed frame and its text in a pre", async () => {
    fakeApi(null);
    renderPage();
    const frames = await screen.findAllByTitle(/^HTML version: /);
    expect(frames).toHaveLength(2);
    for (const frame of frames) {
      // An empty sandbox: no scripts, forms, popups or same-origin access.
      expect(frame.getAttribute("sandbox")).toBe("");
      expect(frame.hasAttribute("src")).toBe(false);
    }
    expect(frames[0]?.getAttribute("srcdoc")).toBe(PREVIEWS[0]?.html);
    expect(screen.getByRole("heading", { name: "Rampart: reset your password" })).toBeTruthy();
    const texts = screen.getAllByTestId("email-preview-text");
    expect(texts[0]?.tagName).toBe("PRE");
    expect(texts[0]?.textContent).toBe(PREVIEWS[0]?.text);
    expect((window as unknown as { hacked?: boolean }).hacked).toBeUndefined();
  });

  it("sends the test e-mail to the signed-in admin by default and shows the server's answer", async () => {
    const sent = fakeApi({ accepted: true, serverReply: "250 OK", failure: null, error: null });
    renderPage();
    await recipient();
    fireEvent.click(screen.getByRole("button", { name: "Send test e-mail" }));
    const status = await screen.findByRole("status");
    expect(status.textContent).toBe("Accepted by the SMTP server: 250 OK");
    expect(sent).toEqual([{ to: "admin@rampart.dev" }]);
  });

  it("says a refusal as an alert with its failure code", async () => {
    fakeApi({
      accepted: false,
      serverReply: null,
      failure: "REJECTED",
      error: "the SMTP server refused the message: permanent error (550): Mailbox unavailable",
    });
    renderPage();
    fireEvent.input(await recipient(), { target: { value: "refused@rampart.dev" } });
    fireEvent.click(screen.getByRole("button", { name: "Send test e-mail" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Not sent (REJECTED)");
    expect(alert.textContent).toContain("550");
  });

  it("checks the address before sending anything", async () => {
    const sent = fakeApi(null);
    renderPage();
    fireEvent.input(await recipient(), { target: { value: "not-an-address" } });
    fireEvent.click(screen.getByRole("button", { name: "Send test e-mail" }));
    expect(await screen.findByText("Enter a valid e-mail address.")).toBeTruthy();
    expect(sent).toEqual([]);
  });
});
