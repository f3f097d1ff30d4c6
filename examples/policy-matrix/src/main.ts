// `pnpm demo`: run the policy matrix and print it.
import { formatMatrix, runMatrix } from './matrix.js';

const started = Date.now();
process.stdout.write('kvm-mte policy matrix: each guest scenario under each kvm-core page-upgrade policy\n');
process.stdout.write('(guest RAM is a normal anonymous mapping without PROT_MTE, except under enforce-prot-mte)\n\n');
const m = await runMatrix();
process.stdout.write(formatMatrix(m));
process.stdout.write(`\n${m.rows.length * m.policies.length} runs in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
