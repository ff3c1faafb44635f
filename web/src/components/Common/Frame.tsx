import { createContext, type ReactNode, useContext } from "react";
import { useAuth } from "../../hooks/useAuth";
import { AppHeader, GuestHeader } from "./AppHeader";
import { SecurityNotice } from "./SecurityNotice";

const InFrame = createContext(false);

/** The signed-in page frame: skip link, header, and the main landmark. */
export function SignedInFrame({ children }: { children: ReactNode }) {
  return (
    <InFrame.Provider value={true}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader />
      <main id="main" className="container page" tabIndex={-1}>
        <SecurityNotice />
        {children}
      </main>
    </InFrame.Provider>
  );
}

/**
 * For pages that can show up anywhere (not found, a crashed route): inside
 * the signed-in frame they take its place in <main>; anywhere else they
 * bring the frame that fits the visitor.
 */
export function AnyFrame({ children }: { children: ReactNode }) {
  const inFrame = useContext(InFrame);
  const { loggedIn } = useAuth();
  if (inFrame) return <>{children}</>;
  if (loggedIn) return <SignedInFrame>{children}</SignedInFrame>;
  return (
    <>
      <GuestHeader />
      <main id="main" className="container page">
        {children}
      </main>
    </>
  );
}
