/* bench-hashtable: an untuned benchmark guest for `pnpm bench` (issue 11; not an oracle test). A chained hash
 * table with pointer chasing: nodes from a free list, buckets of singly linked lists, inserts, lookups (hits and
 * misses), deletes, and a walk of an insertion-order linked list. GCC -O2, MMU on. Prints checksums, powers off. */
// cflags: -O2
#include "guest.h"
#include "mmu.h"
#include "xorshift.h"

#define NODES    49152
#define BUCKETS  8192          /* a power of two; about 4 keys per bucket when full: chains to chase */
#define ROUNDS   30

struct node {
    u64 key;
    u64 value;
    struct node *next;         /* bucket chain */
    struct node *order;        /* insertion-order list (walked), kept only while the node is in the table */
};

static struct node pool[NODES];
static struct node *free_list;
static struct node *buckets[BUCKETS];
static struct node *order_head;
static u64 live;


static inline u32 bucket_of(u64 key)
{
    key ^= key >> 29;
    key *= 0xbf58476d1ce4e5b9UL;
    key ^= key >> 32;
    return (u32)key & (BUCKETS - 1);
}

static void table_reset(void)
{
    free_list = 0;
    for (u32 i = 0; i < NODES; i++) {
        pool[(i * 7919) % NODES].next = free_list;   /* a scattered free list: pointer chasing, not a stride */
        free_list = &pool[(i * 7919) % NODES];
    }
    for (u32 b = 0; b < BUCKETS; b++)
        buckets[b] = 0;
    order_head = 0;
    live = 0;
}

static struct node *lookup(u64 key)
{
    for (struct node *n = buckets[bucket_of(key)]; n; n = n->next)
        if (n->key == key)
            return n;
    return 0;
}

static int insert(u64 key, u64 value)
{
    struct node *n = lookup(key);
    if (n) {
        n->value += value;
        return 0;
    }
    if (!free_list)
        return -1;
    n = free_list;
    free_list = n->next;
    u32 b = bucket_of(key);
    n->key = key;
    n->value = value;
    n->next = buckets[b];
    buckets[b] = n;
    n->order = order_head;
    order_head = n;
    live++;
    return 1;
}

static int delete(u64 key)
{
    struct node **p = &buckets[bucket_of(key)];
    for (struct node *n = *p; n; p = &n->next, n = n->next) {
        if (n->key == key) {
            *p = n->next;
            n->key = ~0UL;          /* unlinked from the order list lazily by the walk */
            n->next = free_list;
            free_list = n;
            live--;
            return 1;
        }
    }
    return 0;
}

/* Walks the insertion-order list, dropping deleted nodes from it, and sums what is live. */
static u64 walk(void)
{
    u64 sum = 0, count = 0;
    struct node **p = &order_head;
    while (*p) {
        struct node *n = *p;
        if (n->key == ~0UL) {
            *p = n->order;
            continue;
        }
        sum = (sum ^ n->key) * 31 + n->value;
        count++;
        p = &n->order;
    }
    return sum ^ (count << 48);
}

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_enable();
    print_line("bench-hashtable: chained hash table, insert/lookup/delete, list walk (GCC -O2)");
    u64 check = 0, hits = 0, misses = 0, deleted = 0;
    for (u32 r = 0; r < ROUNDS; r++) {
        table_reset();
        rng_state = 0x2545f4914f6cdd1dUL + r;
        /* Keys from a small range so inserts also find existing keys. */
        for (u32 i = 0; i < NODES; i++)
            insert(rng() % (NODES * 3 / 2), i);
        for (u32 i = 0; i < NODES; i++) {
            struct node *n = lookup(rng() % (NODES * 3 / 2));
            if (n) {
                hits++;
                check += n->value;
            } else {
                misses++;
            }
        }
        for (u32 i = 0; i < NODES / 2; i++)
            deleted += delete(rng() % (NODES * 3 / 2));
        check ^= walk();
        for (u32 i = 0; i < NODES / 4; i++)
            insert(rng() % (NODES * 2), i * 3);
        check = (check << 7 | check >> 57) ^ walk() ^ live;
    }
    print_kv("hits", hits);
    print_kv("misses", misses);
    print_kv("deleted", deleted);
    print_kv("checksum", check ^ hits ^ (misses << 20) ^ (deleted << 40));
    return 0;
}
