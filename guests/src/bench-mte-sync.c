/* bench-mte-sync: bench-mte.h with synchronous tag checks (SCTLR_EL1.TCF = 1). */
#define BENCH_TCF 1
#define BENCH_NAME "bench-mte-sync"
#include "bench-mte.h"
