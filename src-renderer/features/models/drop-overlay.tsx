import { useEffect, useRef, useState } from 'react';

function carriesFiles(event: DragEvent): boolean {
  return event.dataTransfer !== null && Array.from(event.dataTransfer.types).includes('Files');
}

/**
 * The whole window is a drop target for models: while files are dragged over it, a full-window
 * overlay says so; a drop hands the files to `onFiles`. Listeners sit on window, so a drop
 * anywhere counts and the browser never navigates to the dropped file.
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
      setActive(true);
    };
    const over = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer !== null) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setActive(false);
    };
    const drop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setActive(false);
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (files.length > 0) onFilesRef.current(files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  if (!active) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-live="polite">
      <div className="drop-box">
        <p className="drop-title">Drop to add to your library</p>
        <p className="muted">An .onnx file, with its external-data files if it has any</p>
      </div>
    </div>
  );
}
