// Where the focus goes in the keys tab's forms and panels: Escape closes the one it is attached
// to, and a control that was disabled while it worked takes the focus back when it is done.

import { tick } from "svelte";
import type { Attachment } from "svelte/attachments";

/** Escape closes the panel or form it is attached to (`{@attach closeOnEscape(close)}`), from
 * any control inside it, and goes no further (an outer form keeps its draft). */
export function closeOnEscape(close: () => void): Attachment<HTMLElement> {
  return (element) => {
    const onkeydown = (event: KeyboardEvent): void => {
      if (event.key !== "Escape") return;
      event.stopPropagation();
      close();
    };
    element.addEventListener("keydown", onkeydown);
    return () => element.removeEventListener("keydown", onkeydown);
  };
}

/** Once the DOM is updated, focuses the control `id` when the focus was lost (a focused button
 * that got disabled leaves it on the body). */
export async function focusIfLost(id: string): Promise<void> {
  await tick();
  const active = document.activeElement;
  if (active === null || active === document.body) document.getElementById(id)?.focus();
}
