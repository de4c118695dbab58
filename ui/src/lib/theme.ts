import type { Theme } from "./api/bindings/Theme";

/** The window's colours: `system` follows the OS (and its changes), `light` and `dark` fix them. */
let stopFollowing: (() => void) | null = null;

export function applyTheme(theme: Theme): void {
  stopFollowing?.();
  stopFollowing = null;
  const root = document.documentElement;
  if (theme === "light" || theme === "dark") {
    root.dataset.theme = theme;
    return;
  }
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const follow = () => (root.dataset.theme = dark.matches ? "dark" : "light");
  follow();
  dark.addEventListener("change", follow);
  stopFollowing = () => dark.removeEventListener("change", follow);
}
