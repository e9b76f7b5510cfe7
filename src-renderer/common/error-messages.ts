/**
 * Every expected error code in words for people, with what they can do about it. The main side's
 * message (which names the file or the provider) is shown under the title; this table adds the
 * headline and the action, so every view explains an error the same way.
 */
import type { AppErrorData, ErrorCode } from '../../src-main/shared/errors';

export interface ErrorText {
  title: string;
  action: string;
}

export const ERROR_MESSAGES: Record<ErrorCode, ErrorText> = {
  BAD_REQUEST: {
    title: 'That request was not valid',
    action: 'Check the values in the form and try again.',
  },
  NOT_FOUND: {
    title: 'Not found',
    action: 'It may have been removed; refresh the list and pick it again.',
  },
  FILE_NOT_FOUND: {
    title: 'File not found',
    action:
      'Check that the file exists at that path (a model: add it again; an input: fix the path).',
  },
  IO_ERROR: {
    title: 'Could not read or write a file',
    action: 'Check the disk has space and that Crucible may read and write the folder.',
  },
  MODEL_INVALID: {
    title: 'This is not a valid ONNX model',
    action: 'Export the model again (for example with torch.onnx.export) and add the new file.',
  },
  EXTERNAL_DATA_MISSING: {
    title: 'The model’s weight files are missing',
    action: 'Drop the .onnx file together with its external-data files (often .data or .bin).',
  },
  EXTERNAL_DATA_OUTSIDE: {
    title: 'The model points at weight files outside its folder',
    action:
      'Keep the external-data files in the model’s own folder; Crucible will not read elsewhere.',
  },
  INPUT_INVALID: {
    title: 'The inputs do not fit the model',
    action: 'Check the values for the dynamic dimensions and the input shapes.',
  },
  OUTPUT_NOT_TENSOR: {
    title: 'An output is not a tensor',
    action: 'Crucible summarises tensor outputs only; sequences and maps are not shown.',
  },
  PROVIDER_UNAVAILABLE: {
    title: 'That execution provider is not available',
    action: 'Pick another provider, or install the driver or runtime it names.',
  },
  ORT_LOAD_FAILED: {
    title: 'ONNX Runtime could not be loaded',
    action: 'Reinstall Crucible, or choose a working ONNX Runtime folder in the settings.',
  },
  ORT_ERROR: {
    title: 'ONNX Runtime reported an error',
    action:
      'The message above is ONNX Runtime’s own; the model may use something this provider lacks.',
  },
  ENGINE_CRASHED: {
    title: 'The inference engine stopped',
    action: 'Crucible restarts it on its own; try again in a moment.',
  },
  ENGINE_TIMEOUT: {
    title: 'The inference engine did not answer in time',
    action: 'Try again; a first run on a GPU can take longer while it prepares the model.',
  },
  CANCELLED: {
    title: 'Cancelled',
    action: 'Nothing else to do; start it again when you want.',
  },
  STORE_CORRUPT: {
    title: 'Saved data was damaged',
    action: 'Crucible set the damaged file aside and started fresh; re-add what is missing.',
  },
  CACHE_CORRUPT: {
    title: 'A compiled model in the cache was damaged',
    action: 'Crucible will rebuild it; compile the model again.',
  },
  GPU_UNAVAILABLE: {
    title: 'No NVIDIA GPU could be read',
    action: 'Install or update the NVIDIA driver, then restart Crucible.',
  },
  UNSUPPORTED: {
    title: 'Not supported here',
    action: 'This feature is not available on this machine or in this mode.',
  },
  INTERNAL: {
    title: 'Something went wrong inside Crucible',
    action: 'Try again; if it keeps happening, report it with the details below.',
  },
};

/**
 * A file that is not a model at all (a .txt, a picture dropped on the window), as the library
 * says it (services/model-library.ts): no export hint, which only fits a broken .onnx file.
 */
const NOT_A_MODEL_FILE = /is not an ONNX model \(\.onnx\)$/;
const NOT_A_MODEL: ErrorText = {
  title: 'This is not an ONNX model',
  action:
    'Crucible opens .onnx files: drop the model file itself (its labels or weight files can come with it).',
};

/** The words for an error: the table's title and action plus the main side's own message. */
export function describeError(
  error: AppErrorData,
): ErrorText & { message: string; detail: string | null } {
  const text = NOT_A_MODEL_FILE.test(error.message)
    ? NOT_A_MODEL
    : (ERROR_MESSAGES[error.code] ?? ERROR_MESSAGES.INTERNAL);
  return { ...text, message: error.message, detail: error.detail ?? null };
}
