/** The CLI's process entry (dist/cli/crucible.js, run by bin/crucible.js). */
import { runCli } from './main';

void runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
}).then((code) => {
  process.exitCode = code;
});
