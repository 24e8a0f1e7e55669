/* initfill/config.h - compiler helpers shared by every C file of initfill.
 *
 * Plain C11, no Python.h.  Nothing here changes a computed value: the macros only
 * hint inlining and branch layout. */
#ifndef INITFILL_CONFIG_H
#define INITFILL_CONFIG_H

#if defined(__GNUC__) || defined(__clang__)
#define IF_INLINE static inline __attribute__((always_inline))
#define IF_NOINLINE __attribute__((noinline))
#define IF_LIKELY(x) __builtin_expect(!!(x), 1)
#define IF_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define IF_INLINE static inline
#define IF_NOINLINE
#define IF_LIKELY(x) (x)
#define IF_UNLIKELY(x) (x)
#endif

#endif /* INITFILL_CONFIG_H */
