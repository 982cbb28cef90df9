// Keeps a file dropped outside a drop zone from replacing the page (the window hands every drop
// to the web view, which would open the file). Dragged text still goes where it is dropped.

/** Whether a drag carries files and is over no `.drop-zone`. */
function outsideZone(event: DragEvent): boolean {
  const files = Array.from(event.dataTransfer?.types ?? []).includes("Files");
  const zone = event.target instanceof Element && event.target.closest(".drop-zone") !== null;
  return files && !zone;
}

/** Installs the guard on `doc`; answers the function that removes it. */
export function guardDrops(doc: Document): () => void {
  const over = (event: DragEvent): void => {
    if (!outsideZone(event)) return;
    event.preventDefault();
    if (event.dataTransfer !== null) event.dataTransfer.dropEffect = "none";
  };
  const drop = (event: DragEvent): void => {
    if (outsideZone(event)) event.preventDefault();
  };
  doc.addEventListener("dragover", over);
  doc.addEventListener("drop", drop);
  return () => {
    doc.removeEventListener("dragover", over);
    doc.removeEventListener("drop", drop);
  };
}
