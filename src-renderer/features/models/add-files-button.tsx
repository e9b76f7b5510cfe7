import { type ChangeEvent, useRef } from 'react';

/**
 * "Add model…" and "Add folder…": the file pickers, for people who do not drag. Any file type is
 * accepted because a model's external-data files have arbitrary extensions and must be picked
 * together with it; the folder picker takes a model's whole folder (its files carry their path
 * inside it as webkitRelativePath).
 */
export function AddFilesButton(props: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const picked = (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.currentTarget.files ?? []);
    // Cleared so picking the same file again fires change again.
    e.currentTarget.value = '';
    if (files.length > 0) props.onFiles(files);
  };
  return (
    <div className="card-actions">
      <button
        type="button"
        className="button button-primary"
        onClick={() => input.current?.click()}
        data-testid="add-model"
      >
        Add model…
      </button>
      <button
        type="button"
        className="button"
        onClick={() => folder.current?.click()}
        data-testid="add-folder"
      >
        Add folder…
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="add-model-input"
        onChange={picked}
      />
      <input
        ref={(el) => {
          folder.current = el;
          // Not in React's typings; every Chromium (and so Electron) supports it.
          el?.setAttribute('webkitdirectory', '');
        }}
        type="file"
        hidden
        data-testid="add-folder-input"
        onChange={picked}
      />
    </div>
  );
}
