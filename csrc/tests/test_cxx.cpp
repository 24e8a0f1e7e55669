// test_cxx.cpp - initfill.h from C++: the extern "C" declarations link against the
// C library and give the same values as C (the first frozen value of test_kat.c).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "initfill/initfill.h"

int main() {
    std::vector<float> w(5);
    const int st = initfill_uniform_f32(w.data(), w.size(), 0, UINT64_C(0x0123456789ABCDEF),
                                        7, -1.0, 2.0, 2);
    std::uint32_t bits;
    std::memcpy(&bits, &w[0], sizeof bits);
    const initfill_capi *t = initfill_get_capi();
    if (st != INITFILL_OK || bits != 0xbec3d2a4u || t->abi_version != INITFILL_ABI_VERSION ||
        t->size != sizeof(initfill_capi)) {
        std::fprintf(stderr, "test_cxx: FAIL (status %d: %s, bits %08x)\n", st,
                     initfill_status_string(st), static_cast<unsigned>(bits));
        return 1;
    }
    std::printf("test_cxx: C++ use of initfill.h passed\n");
    return 0;
}
