export { Cpu, type CpuOptions } from './cpu.js';
export {
  logicalTag, MTE_BITS, mteLevel, recordAsyncTagFault, setMteLevel, TagCheck, tagAccessEnabled, tagCheckFieldOff,
  tagCheckMode,
} from './mte.js';
export { Acc, Fsc, MemoryFault, type CounterLinear, type CounterPort, type MemoryPort, type PmuPort, type SmpPort, type SysRegPort } from './ports.js';
export { isPmuKey, pmevcntrKey, pmevtyperKey, pmuEl0Access, PmuKey, PMUSERENR, PmuWrite, type PmuWriteResult } from './pmu-regs.js';
export { SmpDomain } from './smp.js';
export { Ec, El2Syndrome, Stop, type StopCode } from './exits.js';
export { El2Trap, EndRun, GuestException } from './exceptions.js';
export { BREAKPOINTS, HostDebug, WATCHPOINTS } from './debug.js';
export { CPTR, SysReg, SYSREG_DEFS, sysRegKey, sysRegByKey, type SysRegDef } from './sysregs.js';
export { IMPL, DCZVA_BLOCK_BYTES } from './impl-defined.js';
export { findEncoding, undefinedInstruction } from './decode-a64.js';
export { FPCR_IMPLEMENTED, FPSR_IMPLEMENTED, Fpcr, FpFlag } from './fpsimd/fp-status.js';
export { clearAbove, readQ, writeQ, type VRegs } from './fpsimd/vregs.js';
export { compilePattern, type EncodingRow, type Handler } from './decode.js';
export {
  CodeCache, type CodeCacheStats, handlerBlockCost, CodePage, CodeRegion, DEFAULT_CODE_CACHE_BYTES, PAGE_BYTES as CODE_PAGE_BYTES,
  PAGE_COST as CODE_PAGE_COST, type Block,
} from './code-cache.js';
export { ARENA_CODE_KILLS, ARENA_CODE_MAP, ARENA_NO_TLB, ARENA_LIMIT_BYTES, ArenaFullError, GuestArena, type GuestArenaOptions, WASM_PAGE_BYTES } from './arena.js';
export {
  CPU_STATE_BYTES, Dtlb, DTLB_CLASSES, DTLB_ENTRY_BYTES, DTLB_NORMAL, HOST_TAIL_END, HOST_TAIL_START, HOST_WORDS_END,
  HOST_WORDS_START, IRQ_LINE_LEAVE, St, STATE_LAYOUT_VERSION,
} from './state-layout.js';
export type { WasmApi, WasmInstance, WasmMemory, WasmModule } from './wasm/host-api.js';
export { BATCH_BLOCKS, HOT_RUNS, QUEUE_RUNS, type WasmTierOptions, type WasmTierStats, WasmTier } from './wasm-jit/tier.js';
