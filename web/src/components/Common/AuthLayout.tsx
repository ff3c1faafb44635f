import type { ReactNode } from "react";
import { PRODUCT, usePageTitle } from "./Page";

/** The frame of the logged-out pages: the brand, then one centred card. */
export function AuthLayout({
  title,
  lead,
  children,
}: {
  title: string;
  lead?: ReactNode;
  children: ReactNode;
}) {
  usePageTitle(title);
  return (
    <>
      {/* Not a link: on these pages it would lead where the user already is,
          and the first Tab should reach the form. */}
      <header className="auth-brand">
        <span className="brand">{PRODUCT}</span>
      </header>
      <main className="container auth">
        <article className="auth-card">
          <h1>{title}</h1>
          {lead ? <p className="lead">{lead}</p> : null}
          {children}
        </article>
      </main>
    </>
  );
}
