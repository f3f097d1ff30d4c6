import { Ec } from './exits.js';
import { GuestException } from './exceptions.js';

/**
 * Raise UNDEFINED: an Unknown-reason exception (EC 0x00) in the guest. In its own module so that instruction class
 * files can import it without importing the decoder that imports them.
 */
export function undefinedInstruction(): never {
  throw new GuestException(Ec.Unknown, 0);
}
