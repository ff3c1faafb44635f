import "@picocss/pico/css/pico.min.css";
import "./styles.css";
import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode, startTransition, useDeferredValue, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { Splash } from "./components/Common/Splash";
import { ToastProvider } from "./components/Common/Toasts";
import { useAuthStatus } from "./hooks/useAuth";
import { restoreSession, startTabSync } from "./lib/auth";
import { watchBrowserConnection } from "./lib/connection";
import { applyTheme, loadTheme } from "./lib/theme";
import { createAppRouter, createQueryClient } from "./router";

// Theme before the first paint (no inline script is allowed to do it earlier).
applyTheme(loadTheme());

watchBrowserConnection();
const queryClient = createQueryClient();
const router = createAppRouter(queryClient);
startTabSync();
// A reload or a new tab: sign in again through the refresh cookie before any
// route decides between the login page and the app (the splash shows meanwhile).
const firstRestore = restoreSession();

/** The routes once the session is known: no login page flashing before a restored session. */
function App() {
  // Deferred: mounting the whole route tree once the session is known is
  // the page's biggest render; as a deferred update React renders it in
  // slices of a few milliseconds, so input is never blocked for long.
  const status = useDeferredValue(useAuthStatus());
  const [failure, setFailure] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    firstRestore.catch((error: unknown) => live && setFailure(error));
    return () => {
      live = false;
    };
  }, []);
  const retry = () => {
    setFailure(null);
    restoreSession().catch(setFailure);
  };
  if (status !== "restoring") return <RouterProvider router={router} />;
  return <Splash failure={failure} onRetry={retry} />;
}

const root = document.getElementById("root");
if (!root) throw new Error("#root missing from index.html");
// A transition, for the same reason: the first render yields to the browser.
startTransition(() => {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <ToastProvider>
          <App />
        </ToastProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
});
