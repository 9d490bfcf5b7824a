// Every portico executable links this file and mimalloc (common/CMakeLists.txt): mimalloc
// replaces glibc's malloc in the whole process, and this asks it for 2 MiB pages.
//
// Why: rebuilding the read models at start allocates hundreds of MiB in small pieces on the
// projection runner's threads. Under glibc's malloc, which gives threads arenas of their own
// (heaps mapped and grown piece by piece), the same fold cost about 70% more CPU on a runner
// thread than on the main thread (7.5 against 4.4 CPU-seconds per million events); limiting
// glibc to one arena removed that but made the runner's threads contend for it. 4 KiB page
// faults on this VM were another sixth of a rebuild. With mimalloc and 2 MiB pages the rebuild
// through the runner went from about 225,000 to 280,000 events/s (README, Benchmarks).
// Debian's kernels hand out transparent huge pages only to memory that asks (THP "madvise");
// mimalloc asks.
#include <mimalloc.h>

namespace {

// Runs before main. mimalloc reads the option each time it maps a new segment, so the few
// allocated before this ran simply stay on small pages.
[[maybe_unused]] const bool kLargeOsPages = [] {
  mi_option_enable(mi_option_large_os_pages);
  return true;
}();

}  // namespace
