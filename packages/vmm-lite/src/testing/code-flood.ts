/**
 * Test support: the "code flood" guest, which makes the CPU translate as much code as guest RAM can hold. Loaded at
 * 0x4008_0000 with the MMU off, it writes `b .+4096` at the start of every page from 0x4008_1000 to the last page
 * of RAM, `br x3` (back to the first) on the last page, and jumps to the first: from then on every instruction it
 * runs is the only instruction of a new page, for ever. Translated code per page of RAM is what it measures
 * (docs/performance.md, the code cache).
 */
import { A64 } from './a64.js';

/** Guest physical address of RAM on the virt board, and where the guest is loaded. */
const RAM_BASE = 0x4000_0000;
export const CODE_FLOOD_LOAD = 0x4008_0000;
/** The first page the guest writes a branch to. */
export const CODE_FLOOD_FIRST = CODE_FLOOD_LOAD + 0x1000;

const B_NEXT_PAGE = A64.b(4096);
const BR_X3 = 0xd61f0060;
const IC_IALLU = 0xd508751f;
const DSB_ISH = 0xd5033b9f;

/** The guest's instruction words for `ramBytes` of RAM (at least 0x8_3000 bytes). */
export function codeFloodCode(ramBytes: number): number[] {
  const last = RAM_BASE + ramBytes - 0x1000;
  if (last <= CODE_FLOOD_FIRST) throw new RangeError(`the code flood guest needs more than ${ramBytes} bytes of RAM`);
  return [
    ...A64.mov64(1, CODE_FLOOD_FIRST), //           x1: the page written next
    ...A64.mov64(2, last), //                       x2: the last page
    ...A64.mov64(4, B_NEXT_PAGE), //                w4: b .+4096
    ...A64.mov64(5, BR_X3), //                      w5: br x3
    A64.mov(3, 1), //                               x3: the first page
    A64.strw(4, 1), //                        loop: str w4, [x1]
    0x91400421, //                                  add x1, x1, #1, lsl #12
    A64.cmp(1, 2), //                               cmp x1, x2
    A64.bne(-12), //                                b.ne loop
    A64.strw(5, 2), //                              str w5, [x2]
    IC_IALLU, DSB_ISH, A64.isb(), //                make the new code visible to instruction fetches
    BR_X3, //                                       br x3
  ];
}
