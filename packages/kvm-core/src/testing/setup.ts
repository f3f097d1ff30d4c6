/** Test support: a Kvm wired to the stage-2-only test port, and small helpers. */
import { Kvm, type KvmOptions } from '../kvm.js';
import { KvmError } from '../errors.js';
import { Stage2OnlyPort } from './stage2-port.js';

export function testKvm(options: KvmOptions = {}): Kvm {
  return new Kvm({ memoryPort: (cpu, phys) => new Stage2OnlyPort(cpu, phys), ...options });
}

/** Run `f` and return the errno name of the KvmError it throws (fails the test if it does not throw one). */
export function errnoOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof KvmError) return e.code;
    throw e;
  }
  throw new Error('expected a KvmError, nothing was thrown');
}
