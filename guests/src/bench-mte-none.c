/* bench-mte-none: bench-mte.h with tag checks off (SCTLR_EL1.TCF = 0): the baseline for bench-mte-sync. */
#define BENCH_TCF 0
#define BENCH_NAME "bench-mte-none"
#include "bench-mte.h"
