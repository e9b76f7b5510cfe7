/**
 * OrtStatus* → typed error. A non-NULL status is read (code and message) and released exactly once,
 * then thrown as an AppError: ORT_ERROR by default with ORT's code name as detail, or a more precise
 * Crucible code where ORT's code says so (missing file, invalid model, unsupported type, cancelled).
 */
import { AppError } from '../../shared/errors';
import type { ErrorCode } from '../../shared/errors';
import { ortBinding } from './api';
import type { NPtr } from './api';

/** OrtErrorCode names by value (onnxruntime_c_api.h, API 30). */
export const ORT_ERROR_CODES = [
  'ORT_OK',
  'ORT_FAIL',
  'ORT_INVALID_ARGUMENT',
  'ORT_NO_SUCHFILE',
  'ORT_NO_MODEL',
  'ORT_ENGINE_ERROR',
  'ORT_RUNTIME_EXCEPTION',
  'ORT_INVALID_PROTOBUF',
  'ORT_MODEL_LOADED',
  'ORT_NOT_IMPLEMENTED',
  'ORT_INVALID_GRAPH',
  'ORT_EP_FAIL',
  'ORT_MODEL_LOAD_CANCELED',
  'ORT_MODEL_REQUIRES_COMPILATION',
  'ORT_NOT_FOUND',
  'ORT_DEVICE_RESET',
] as const;

/** The name of an OrtErrorCode value ("ORT_CODE_<n>" for values newer than this table). */
export function ortErrorCodeName(code: number): string {
  return ORT_ERROR_CODES[code] ?? `ORT_CODE_${code}`;
}

/** The Crucible error code for an ORT error code name. */
export function appCodeFor(ortCode: string): ErrorCode {
  switch (ortCode) {
    case 'ORT_NO_SUCHFILE':
      return 'FILE_NOT_FOUND';
    case 'ORT_INVALID_PROTOBUF':
    case 'ORT_INVALID_GRAPH':
      return 'MODEL_INVALID';
    case 'ORT_NOT_IMPLEMENTED':
      return 'UNSUPPORTED';
    case 'ORT_MODEL_LOAD_CANCELED':
      return 'CANCELLED';
    default:
      return 'ORT_ERROR';
  }
}

/** What {@link readStatus} found in a non-NULL status. */
export interface OrtFailure {
  /** OrtErrorCode name, e.g. ORT_INVALID_GRAPH. */
  ortCode: string;
  /** ORT's own message. */
  message: string;
}

/** Reads and releases a status. NULL → null (success). */
export function readStatus(status: NPtr): OrtFailure | null {
  if (!status) return null;
  const { api } = ortBinding();
  try {
    return {
      ortCode: ortErrorCodeName(api.GetErrorCode(status)),
      message: api.GetErrorMessage(status),
    };
  } finally {
    api.ReleaseStatus(status);
  }
}

/**
 * Throws if `status` is an error, after releasing it. `what` says what was being done, for people
 * ("creating a session from /m/model.onnx"). `code` forces the Crucible code (ORT's code stays in
 * detail).
 */
export function check(status: NPtr, what: string, code?: ErrorCode): void {
  const failure = readStatus(status);
  if (failure) throw failureError(failure, what, code);
}

/** The AppError for a failure read by {@link readStatus}. */
export function failureError(failure: OrtFailure, what: string, code?: ErrorCode): AppError {
  return new AppError(
    code ?? appCodeFor(failure.ortCode),
    `${what}: ${failure.message}`,
    failure.ortCode,
  );
}
