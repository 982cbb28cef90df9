// Escape closes the panel or form it is attached to (`{@attach closeOnEscape(close)}`), from any
// control inside it, and goes no further (an outer form keeps its draft).

import type { Attachment } from "svelte/attachments";

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
