import "@picocss/pico/css/pico.min.css";
import "./styles.css";
import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ToastProvider } from "./components/Common/Toasts";
import { watchBrowserConnection } from "./lib/connection";
import { applyTheme, loadTheme } from "./lib/theme";
import { createAppRouter, createQueryClient } from "./router";

// Theme before the first paint (no inline script is allowed to do it earlier).
applyTheme(loadTheme());

watchBrowserConnection();
const queryClient = createQueryClient();
const router = createAppRouter(queryClient);

const root = document.getElementById("root");
if (!root) throw new Error("#root missing from index.html");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
