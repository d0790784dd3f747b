/*
 * hutch: mimalloc as ONE object file that replaces the whole malloc family of
 * a static musl binary. Compiled by build.sh next to this file, with the
 * mimalloc source tree's src/ and include/ on the include path.
 */

/* mimalloc's own single-translation-unit build of the allocator; with
 * MI_MALLOC_OVERRIDE it defines malloc, calloc, realloc, free, memalign,
 * posix_memalign, valloc, pvalloc, reallocarray, malloc_usable_size and the
 * C++ operators new/delete. */
#include "static.c"

/*
 * mimalloc 2.0.9 defines aligned_alloc only when glibc's __USE_ISOC11 is set,
 * which musl never sets. musl's own aligned_alloc would then be linked: it
 * calls our malloc and reads musl malloc metadata around the returned pointer,
 * and whatever it returns is later passed to mimalloc's free. libc++abi
 * allocates every thrown C++ exception with aligned_alloc, so the first
 * `catch` crashed in mi_free. Define it here (a newer mimalloc that defines it
 * itself makes this a compile error, not a silent duplicate).
 */
void *aligned_alloc(size_t alignment, size_t size)
{
    return mi_aligned_alloc(alignment, size);
}
