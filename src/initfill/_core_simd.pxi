# SIMD levels (initfill/_simd.py holds the public functions).



SIMD_NAMES = tuple(initfill_simd_name(i).decode() for i in range(INITFILL_SIMD_LEVELS))


def simd_level_index():
    """Index into SIMD_NAMES of the active level."""
    return initfill_simd_level()


def simd_available(int level):
    """Whether level `level` (an index into SIMD_NAMES) is built and runs on this CPU."""
    return bool(initfill_simd_available(level))


def set_simd_level_index(int level):
    """Make `level` active; ValueError if it is not available."""
    if initfill_set_simd_level(level) != INITFILL_OK:
        raise ValueError(f"SIMD level {level} is not available")
