/* bench-interp: an untuned benchmark guest for `pnpm bench` (issue 11; not an oracle test). A bytecode interpreter
 * (a stack machine with 8 variables, switch dispatch: an indirect branch per bytecode) running a small program: a
 * trial-division prime count and a hash over a loop. GCC -O2, MMU on. Prints the results, powers off. */
// cflags: -O2
#include "guest.h"
#include "mmu.h"

enum op {
    OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_DIVU, OP_REMU, OP_XOR, OP_AND, OP_SHL, OP_SHR,
    OP_LT, OP_EQ, OP_JMP, OP_JZ, OP_JNZ, OP_DUP, OP_DROP, OP_INC, OP_OUT,
};

/* Assembler helpers: each instruction is a byte, PUSH has a 32-bit immediate, LOAD/STORE/INC a variable byte,
 * jumps a 16-bit absolute target. */
static u8 code[512];
static u32 pc_asm;
static void emit(u8 b) { code[pc_asm++] = b; }
static void emit_imm(u8 op, u32 v) { emit(op); emit(v); emit(v >> 8); emit(v >> 16); emit(v >> 24); }
static void emit_var(u8 op, u8 v) { emit(op); emit(v); }
static u32 emit_jump(u8 op, u32 target) { emit(op); u32 at = pc_asm; emit(target); emit(target >> 8); return at; }
static void patch(u32 at, u32 target) { code[at] = target; code[at + 1] = target >> 8; }

enum { V_N, V_I, V_D, V_COUNT, V_H, V_LIMIT, V_K, V_PRIME };

/* The program: for n in 2..limit: prime = 1; for d = 2; d*d <= n; d++: if n % d == 0 { prime = 0; break };
 * count += prime; h = (h ^ n*prime) * 33 + d; then a second loop k = 0..4*limit: h = (h << 5 ^ h >> 3) + k. */
static void assemble(u32 limit)
{
    pc_asm = 0;
    emit_imm(OP_PUSH, limit); emit_var(OP_STORE, V_LIMIT);
    emit_imm(OP_PUSH, 0); emit_var(OP_STORE, V_COUNT);
    emit_imm(OP_PUSH, 5381); emit_var(OP_STORE, V_H);
    emit_imm(OP_PUSH, 2); emit_var(OP_STORE, V_N);
    u32 outer = pc_asm;
    emit_var(OP_LOAD, V_N); emit_var(OP_LOAD, V_LIMIT); emit(OP_LT);
    u32 exit_outer = emit_jump(OP_JZ, 0);
    emit_imm(OP_PUSH, 1); emit_var(OP_STORE, V_PRIME);
    emit_imm(OP_PUSH, 2); emit_var(OP_STORE, V_D);
    u32 inner = pc_asm;
    emit_var(OP_LOAD, V_N); emit_var(OP_LOAD, V_D); emit(OP_DUP); emit(OP_MUL); emit(OP_LT);   /* n < d*d */
    u32 exit_inner = emit_jump(OP_JNZ, 0);
    emit_var(OP_LOAD, V_N); emit_var(OP_LOAD, V_D); emit(OP_REMU);
    u32 not_div = emit_jump(OP_JNZ, 0);
    emit_imm(OP_PUSH, 0); emit_var(OP_STORE, V_PRIME);
    u32 brk = emit_jump(OP_JMP, 0);
    patch(not_div, pc_asm);
    emit_var(OP_INC, V_D);
    emit_jump(OP_JMP, inner);
    patch(exit_inner, pc_asm);
    patch(brk, pc_asm);
    emit_var(OP_LOAD, V_COUNT); emit_var(OP_LOAD, V_PRIME); emit(OP_ADD); emit_var(OP_STORE, V_COUNT);
    emit_var(OP_LOAD, V_H); emit_var(OP_LOAD, V_N); emit_var(OP_LOAD, V_PRIME); emit(OP_MUL); emit(OP_XOR);
    emit_imm(OP_PUSH, 33); emit(OP_MUL); emit_var(OP_LOAD, V_D); emit(OP_ADD); emit_var(OP_STORE, V_H);
    emit_var(OP_INC, V_N);
    emit_jump(OP_JMP, outer);
    patch(exit_outer, pc_asm);
    emit_imm(OP_PUSH, 0); emit_var(OP_STORE, V_K);
    u32 loop2 = pc_asm;
    emit_var(OP_LOAD, V_K); emit_var(OP_LOAD, V_LIMIT); emit_imm(OP_PUSH, 4); emit(OP_MUL); emit(OP_LT);
    u32 exit2 = emit_jump(OP_JZ, 0);
    emit_var(OP_LOAD, V_H); emit_imm(OP_PUSH, 5); emit(OP_SHL);
    emit_var(OP_LOAD, V_H); emit_imm(OP_PUSH, 3); emit(OP_SHR); emit(OP_XOR);
    emit_var(OP_LOAD, V_K); emit(OP_ADD); emit_imm(OP_PUSH, 0xffffffffu); emit(OP_AND); emit_var(OP_STORE, V_H);
    emit_var(OP_INC, V_K);
    emit_jump(OP_JMP, loop2);
    patch(exit2, pc_asm);
    emit_var(OP_LOAD, V_COUNT); emit(OP_OUT);
    emit_var(OP_LOAD, V_H); emit(OP_OUT);
    emit(OP_HALT);
}

static u64 outputs[4];

/* Runs `code`; returns the number of bytecodes executed, or ~0 on a bad program. */
static u64 interpret(void)
{
    u64 stack[64], vars[8] = {0};
    u32 sp = 0, pc = 0, nout = 0;
    u64 steps = 0;
    for (;;) {
        u8 op = code[pc++];
        steps++;
        switch (op) {
        case OP_HALT: return steps;
        case OP_PUSH: stack[sp++] = (u32)(code[pc] | code[pc + 1] << 8 | code[pc + 2] << 16 | (u32)code[pc + 3] << 24); pc += 4; break;
        case OP_LOAD: stack[sp++] = vars[code[pc++] & 7]; break;
        case OP_STORE: vars[code[pc++] & 7] = stack[--sp]; break;
        case OP_INC: vars[code[pc++] & 7]++; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_DIVU: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] / stack[sp] : 0; break;
        case OP_REMU: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] % stack[sp] : 0; break;
        case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_SHL: sp--; stack[sp - 1] <<= stack[sp] & 63; break;
        case OP_SHR: sp--; stack[sp - 1] >>= stack[sp] & 63; break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case OP_JMP: pc = code[pc] | code[pc + 1] << 8; break;
        case OP_JZ: pc = stack[--sp] == 0 ? (u32)(code[pc] | code[pc + 1] << 8) : pc + 2; break;
        case OP_JNZ: pc = stack[--sp] != 0 ? (u32)(code[pc] | code[pc + 1] << 8) : pc + 2; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_DROP: sp--; break;
        case OP_OUT: outputs[nout++ & 3] = stack[--sp]; break;
        default: return ~0UL;
        }
        if (sp > 60 || pc >= sizeof code)
            return ~0UL;
    }
}

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_enable();
    print_line("bench-interp: bytecode interpreter, switch dispatch (GCC -O2)");
    assemble(40000);
    print_kv("program_bytes", pc_asm);
    u64 steps = interpret();
    print_kv("bytecodes", steps);
    print_kv("primes", outputs[0]);
    print_kv("hash", outputs[1]);
    print_kv("checksum", steps ^ outputs[0] << 32 ^ outputs[1]);
    return 0;
}
