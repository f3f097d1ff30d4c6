/** Test support: small helpers. */
import { Kvm, type KvmOptions } from '../kvm.js';
import { KvmError } from '../errors.js';

export function testKvm(options: KvmOptions = {}): Kvm {
  return new Kvm(options);
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
