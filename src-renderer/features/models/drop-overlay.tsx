import { useEffect, useRef, useState } from 'react';

function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer !== null && Array.from(event.dataTransfer.types).includes('Files');
}

/** True when the pointer is over an element that takes its own drops (the Run area's picture). */
function overDropZone(event: DragEvent): boolean {
  return event.target instanceof Element && event.target.closest('[data-drop-zone]') !== null;
}

/** Folders are walked to this depth and this many files (the host takes 1,000 per drop). */
const MAX_DEPTH = 8;
const MAX_FILES = 1000;

/** Every entry of a folder (readEntries answers in batches until it answers none). */
async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/**
 * The files under a dropped folder, each carrying its path inside the drop as webkitRelativePath
 * ("resnet/model.onnx"), the same property a folder picker sets: browser mode uploads them with
 * that layout, so a model finds its external data where its locations say.
 */
async function filesInFolder(root: FileSystemDirectoryEntry): Promise<File[]> {
  const out: File[] = [];
  const walk = async (dir: FileSystemDirectoryEntry, depth: number): Promise<void> => {
    for (const entry of await readAll(dir)) {
      if (out.length >= MAX_FILES) return;
      if (entry.isDirectory && depth < MAX_DEPTH) {
        await walk(entry as FileSystemDirectoryEntry, depth + 1);
      } else if (entry.isFile) {
        const file = await new Promise<File>((resolve, reject) =>
          (entry as FileSystemFileEntry).file(resolve, reject),
        );
        Object.defineProperty(file, 'webkitRelativePath', { value: entry.fullPath.slice(1) });
        out.push(file);
      }
    }
  };
  await walk(root, 1);
  return out;
}

/**
 * The dropped files, with folders replaced by the files inside them. Entries must be taken while
 * the drop event runs (the DataTransfer is emptied after it); reading them can happen later.
 */
function takeDrop(dt: DataTransfer): () => Promise<File[]> {
  const files = Array.from(dt.files);
  const items = Array.from(dt.items).filter((i) => i.kind === 'file');
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  if (!entries.some((e) => e?.isDirectory)) return async () => files;
  return async () => {
    const out: File[] = [];
    for (const [i, entry] of entries.entries()) {
      const file = files[i];
      if (entry?.isDirectory) {
        // A folder that cannot be read goes as itself: the main side then says what is wrong.
        const inside = await filesInFolder(entry as FileSystemDirectoryEntry).catch(() => null);
        out.push(...(inside ?? (file !== undefined ? [file] : [])));
      } else if (file !== undefined) out.push(file);
    }
    return out;
  };
}

/**
 * The whole window is a drop target for models: while files are dragged over it, a full-window
 * overlay says so; a drop hands the files (folders walked) to `onFiles`. Listeners sit on window,
 * so a drop anywhere counts and the browser never navigates to the dropped file — except over an
 * element marked data-drop-zone, which takes its own drops (the overlay hides there and lets the
 * pointer through to it).
 */
export function DropOverlay(props: { onFiles: (files: File[]) => void }) {
  const [active, setActive] = useState(false);
  // dragenter/dragleave fire for every child element crossed; a depth count tells when the
  // pointer really left the window.
  const depth = useRef(0);
  const onFilesRef = useRef(props.onFiles);
  useEffect(() => {
    onFilesRef.current = props.onFiles;
  }, [props.onFiles]);

  useEffect(() => {
    const enter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth.current += 1;
      setActive(!overDropZone(e));
    };
    const over = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      setActive(!overDropZone(e));
      if (e.dataTransfer !== null) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setActive(false);
    };
    // Capture phase: the overlay resets whatever element the drop lands on.
    const drop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth.current = 0;
      setActive(false);
      if (overDropZone(e)) return;
      e.preventDefault();
      if (e.dataTransfer === null) return;
      const read = takeDrop(e.dataTransfer);
      void read().then((files) => {
        if (files.length > 0) onFilesRef.current(files);
      });
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop, true);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop, true);
    };
  }, []);

  if (!active) return null;
  return (
    <div
      className="drop-overlay"
      data-testid="drop-overlay"
      aria-live="polite"
      // Seen, never hit: drag events reach the elements below, so drop zones keep working.
      style={{ pointerEvents: 'none' }}
    >
      <div className="drop-box">
        <p className="drop-title">Drop to add to your library</p>
        <p className="muted">
          An .onnx file with its external-data files, or the folder that holds them
        </p>
      </div>
    </div>
  );
}
