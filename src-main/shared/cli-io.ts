/** Where a command-line command writes: one line per call, stdout and stderr. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}
