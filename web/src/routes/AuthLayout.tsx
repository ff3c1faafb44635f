import type { ReactNode } from "react";

/** The frame of the logged-out pages: one centred card with the product name. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="container narrow auth">
      <p className="brand" aria-hidden="true">
        Rampart
      </p>
      <article>
        <h1>{title}</h1>
        {children}
      </article>
    </main>
  );
}
