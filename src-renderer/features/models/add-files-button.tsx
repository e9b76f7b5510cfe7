import { useRef } from 'react';

/**
 * "Add model…": the file picker, for people who do not drag. Any file type is accepted because a
 * model's external-data files have arbitrary extensions and must be picked together with it.
 */
export function AddFilesButton(props: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="button button-primary"
        onClick={() => input.current?.click()}
        data-testid="add-model"
      >
        Add model…
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="add-model-input"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          // Cleared so picking the same file again fires change again.
          e.currentTarget.value = '';
          if (files.length > 0) props.onFiles(files);
        }}
      />
    </>
  );
}
