/** What counts as one of a message's controls: its buttons, links and citations. */
const CONTROLS = "button, a[href], [data-cite], summary, input, select, textarea";

/** Keys that move between a group's controls, and where each one goes. */
const MOVES: Record<string, (index: number, count: number) => number> = {
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowDown: (i, n) => (i + 1) % n,
  ArrowLeft: (i, n) => (i - 1 + n) % n,
  ArrowUp: (i, n) => (i - 1 + n) % n,
  Home: () => 0,
  End: (_, n) => n - 1,
};

/**
 * Makes an element one Tab stop (a "roving tabindex", as WAI-ARIA's toolbar pattern does): one of
 * its controls has `tabindex="0"` (the last one used, else the first) and the others `-1`; the
 * arrow keys, Home and End move between them. A long chat is then a few Tab presses from the
 * composer, not one per button and citation. Controls inside an element marked
 * `data-own-tabs` (an opened passage, the inspector) keep their own tab order and keys.
 */
export function roving(node: HTMLElement) {
  let current: HTMLElement | null = null;

  const controls = () =>
    Array.from(node.querySelectorAll<HTMLElement>(CONTROLS)).filter(
      (el) => !el.closest("[data-own-tabs]") && !(el as HTMLButtonElement).disabled,
    );

  function update() {
    const all = controls();
    if (!current || !all.includes(current)) current = all[0] ?? null;
    for (const el of all) el.tabIndex = el === current ? 0 : -1;
  }

  function onFocusIn(event: FocusEvent) {
    const target = event.target as HTMLElement;
    if (target !== current && controls().includes(target)) {
      current = target;
      update();
    }
  }

  function onKeydown(event: KeyboardEvent) {
    const move = MOVES[event.key];
    if (!move || event.altKey || event.ctrlKey || event.metaKey) return;
    const all = controls();
    const index = all.indexOf(document.activeElement as HTMLElement);
    if (index < 0) return;
    event.preventDefault();
    all[move(index, all.length)].focus();
  }

  // Controls come and go (an answer's sources, "Copied"): each change is put in order again.
  const observer = new MutationObserver(update);
  observer.observe(node, { childList: true, subtree: true });
  node.addEventListener("focusin", onFocusIn);
  node.addEventListener("keydown", onKeydown);
  update();
  return {
    destroy() {
      observer.disconnect();
      node.removeEventListener("focusin", onFocusIn);
      node.removeEventListener("keydown", onKeydown);
    },
  };
}
