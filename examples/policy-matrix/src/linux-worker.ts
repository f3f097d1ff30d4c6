// A worker thread of `main.js --linux --jobs N`: runs one Linux job (linux-matrix.ts) and posts its cells back.
import { parentPort, workerData } from 'node:worker_threads';
import { runLinuxJob, type LinuxJob } from './linux-matrix.js';

parentPort!.postMessage(await runLinuxJob(workerData as LinuxJob));
