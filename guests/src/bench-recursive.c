/* bench-recursive: an untuned benchmark guest for `pnpm bench` (issue 11; not an oracle test). Recursive programs:
 * Ackermann's function, naive Fibonacci, building binary trees by recursion from a node pool and summing them
 * recursively, and a recursive quicksort. Runs on its own 256 KiB stack (the runtime's is 16 KiB). GCC -O2, MMU on.
 * Prints the results, powers off. */
// cflags: -O2
#include "guest.h"
#include "mmu.h"

#define STACK_BYTES (256 * 1024)
#define TREE_NODES  (1 << 16)
#define SORT_N      20000

static u64 big_stack[STACK_BYTES / 8] __attribute__((aligned(16)));

/* Calls fn() with SP at `top`, back on the caller's stack afterwards. */
u64 call_on_stack(u64 (*fn)(void), void *top);
__asm__(
    "    .section .text.call_on_stack, \"ax\"\n"
    "    .global call_on_stack\n"
    "    .type call_on_stack, %function\n"
    "call_on_stack:\n"
    "    stp x29, x30, [sp, #-16]!\n"
    "    mov x29, sp\n"
    "    mov sp, x1\n"
    "    stp x29, xzr, [sp, #-16]!\n"
    "    blr x0\n"
    "    ldp x29, xzr, [sp], #16\n"
    "    mov sp, x29\n"
    "    ldp x29, x30, [sp], #16\n"
    "    ret\n"
    "    .size call_on_stack, . - call_on_stack\n"
    "    .text\n");

__attribute__((noinline)) static u64 ack(u64 m, u64 n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

__attribute__((noinline)) static u64 fib(u32 n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

struct tree {
    struct tree *left, *right;
    u64 value;
};

static struct tree nodes[TREE_NODES];
static u32 used;

static struct tree *build(int depth, u64 seed)
{
    if (depth <= 0 || used == TREE_NODES)
        return 0;
    struct tree *t = &nodes[used++];
    t->value = seed;
    t->left = build(depth - 1, seed * 6364136223846793005UL + 1442695040888963407UL);
    t->right = build(depth - 1 - (int)(seed >> 63), seed ^ (seed >> 17) ^ (u64)depth);
    return t;
}

static u64 tree_sum(const struct tree *t, u32 depth)
{
    if (!t)
        return depth;
    return (t->value >> 7) + tree_sum(t->left, depth + 1) * 3 + tree_sum(t->right, depth + 1);
}

static u32 keys[SORT_N];

static void quicksort(u32 *a, s64 lo, s64 hi)
{
    if (lo >= hi)
        return;
    u32 pivot = a[lo + (hi - lo) / 2];
    s64 i = lo, j = hi;
    while (i <= j) {
        while (a[i] < pivot)
            i++;
        while (a[j] > pivot)
            j--;
        if (i <= j) {
            u32 t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
    }
    quicksort(a, lo, j);
    quicksort(a, i, hi);
}

static u64 work(void)
{
    u64 h = 0;
    for (u64 n = 0; n < 8; n++)
        h = h * 31 + ack(2, 200 + n);
    for (u64 n = 3; n <= 6; n++)
        h = h * 31 + ack(3, n);
    print_kv("ackermann", h);
    u64 f = fib(34);
    print_kv("fib34", f);
    u64 t = 0;
    for (u32 r = 0; r < 16; r++) {
        used = 0;
        struct tree *root = build(16, 0x853c49e6748fea9bUL + r);
        t = t * 7 + tree_sum(root, 0) + used;
    }
    print_kv("trees", t);
    u64 s = 0x123456789UL, q = 0;
    for (u32 r = 0; r < 4; r++) {
        for (u32 i = 0; i < SORT_N; i++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            keys[i] = (u32)s % 100000;
        }
        quicksort(keys, 0, SORT_N - 1);
        for (u32 i = 0; i < SORT_N; i += 97)
            q = q * 3 + keys[i];
        for (u32 i = 1; i < SORT_N; i++)
            if (keys[i - 1] > keys[i])
                q = ~0UL;
    }
    print_kv("sorted", q);
    return h ^ f ^ t ^ q;
}

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_enable();
    print_line("bench-recursive: Ackermann, naive fib, recursive trees, quicksort (GCC -O2)");
    u64 c = call_on_stack(work, big_stack + STACK_BYTES / 8);
    print_kv("checksum", c);
    return 0;
}
