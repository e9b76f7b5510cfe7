/** Process entry of the GPU lane (dist/gpu-lane/test-gpu.js): `npm run test:gpu`, `run.sh test-gpu`. */
import { main } from './runner';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`test:gpu: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
