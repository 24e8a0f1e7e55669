/* benches/batteries/initfill_battery.c - initfill's raw bits_ words, in one of several
 * stream layouts, fed to a TestU01 battery or written to stdout (for PractRand's
 * `RNG_test stdin32`).  Built by benches/batteries/build.sh; results in
 * docs/batteries.md.
 *
 *   initfill_battery ACTION LAYOUT [--seed N] [--stream N] [--streams K] [--words W]
 *                    [--names PATTERN] [--reverse]
 *
 * ACTION   smallcrush | crush | bigcrush   run that TestU01 battery; after TestU01's
 *                                           own report, one line per statistic:
 *                                           "pvalue <index> <p> <test name>"
 *          repeat BATTERY TEST N            test number TEST of that battery (the
 *                                           numbers of TestU01's summary) N times in
 *                                           a row, to tell a fluke from a failure
 *          stdout                           raw native-endian uint32 words, forever
 *          print N                          the first N words, one per line (checks)
 *          ids N                            the first N stream numbers of the layout
 * LAYOUT   stream      words 0, 1, 2, ... of stream --stream (the bits_ stream)
 *          heads       words 0 .. W-1 of stream --stream, then of the next stream
 *                      number, and so on (the first words of consecutive streams)
 *          named       as heads, over the streams stream_id(name) of the names
 *                      PATTERN with "{}" replaced by 0, 1, 2, ... (the BLAKE2b hash
 *                      of initfill.stream_id, computed here)
 *          interleave  K consecutive streams from --stream, round-robin: word 0 of
 *                      each, then word 1 of each, ...
 * --seed (default 0), --stream (0), --streams (1024), --words (1),
 * --names ("layers.{}.weight"); --reverse reverses the bits of every word (TestU01
 * looks hardest at the high bits).  Numbers are decimal or 0x hexadecimal.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initfill/initfill.h"

#ifndef INITFILL_BATTERY_NO_TESTU01
#include "bbattery.h"
#include "unif01.h"
#endif

/* ---- initfill.stream_id for names: BLAKE2b with an 8-byte digest, no key (RFC 7693),
 * the top bit of the little-endian digest set. ---- */

static const uint64_t blake2b_iv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
    0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
    0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

static const uint8_t blake2b_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

static uint64_t rotr64(uint64_t x, int r) { return (x >> r) | (x << (64 - r)); }

static void blake2b_mix(uint64_t v[16], int a, int b, int c, int d, uint64_t x,
                        uint64_t y) {
    v[a] = v[a] + v[b] + x;
    v[d] = rotr64(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = rotr64(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = rotr64(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = rotr64(v[b] ^ v[c], 63);
}

/* Compress one 128-byte block; `count` is the number of message bytes so far. */
static void blake2b_compress(uint64_t h[8], const uint8_t block[128], uint64_t count,
                             int last) {
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++) {
        m[i] = 0;
        for (int k = 7; k >= 0; k--) m[i] = (m[i] << 8) | block[8 * i + k];
    }
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = blake2b_iv[i];
    }
    v[12] ^= count; /* the high word of the 128-bit counter stays 0 here */
    if (last) v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = blake2b_sigma[r];
        blake2b_mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        blake2b_mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        blake2b_mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        blake2b_mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        blake2b_mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        blake2b_mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        blake2b_mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        blake2b_mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

static uint64_t named_stream_id(const char *name) {
    size_t len = strlen(name), done = 0;
    uint64_t h[8];
    uint8_t block[128];
    memcpy(h, blake2b_iv, sizeof h);
    h[0] ^= 0x01010000ULL ^ 8; /* fanout 1, depth 1, no key, 8-byte digest */
    while (len - done > 128) {
        memcpy(block, name + done, 128);
        done += 128;
        blake2b_compress(h, block, done, 0);
    }
    memset(block, 0, sizeof block);
    memcpy(block, name + done, len - done);
    blake2b_compress(h, block, len, 1);
    return h[0] | (1ULL << 63); /* digest bytes 0..7 little-endian = h[0] */
}

/* ---- the layouts ---- */

enum layout { STREAM, HEADS, NAMED, INTERLEAVE };

static struct {
    enum layout layout;
    uint64_t seed, stream, streams, words;
    const char *names;
    int reverse;
    uint64_t next;           /* STREAM: next word; HEADS/NAMED: next stream index;
                                INTERLEAVE: next round */
    initfill_plan plan;      /* INITFILL_BITS into uint32, prepared once */
    uint32_t *buf, *tmp;
    size_t len, pos;         /* words in buf, next one to hand out */
    char name[256];          /* the generator's name in TestU01's report */
} L;

#define BLOCK_WORDS (1u << 16)

static void check(int status) {
    if (status != INITFILL_OK) {
        fprintf(stderr, "initfill_battery: %s\n", initfill_status_string(status));
        exit(1);
    }
}

static uint64_t layout_stream(uint64_t index) {
    if (L.layout == NAMED) {
        char name[512];
        const char *brace = strstr(L.names, "{}");
        snprintf(name, sizeof name, "%.*s%llu%s", (int)(brace - L.names), L.names,
                 (unsigned long long)index, brace + 2);
        return named_stream_id(name);
    }
    return L.stream + index; /* wraps modulo 2^64 like any uint64 stream number */
}

static uint32_t reverse32(uint32_t x) {
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
    return (x >> 16) | (x << 16);
}

/* Words first .. first+n-1 of `stream` (initfill_bits_u32 without preparing the
 * same plan again for every one-word call of the heads layouts). */
static void bits(uint32_t *out, uint64_t n, uint64_t first, uint64_t stream) {
    check(initfill_fill_contiguous(&L.plan, L.seed, stream, first, n, out, 1));
}

/* The next block of the layout's words into L.buf. */
static void refill(void) {
    switch (L.layout) {
    case STREAM:
        L.len = BLOCK_WORDS;
        bits(L.buf, L.len, L.next, L.stream);
        L.next += L.len;
        break;
    case HEADS:
    case NAMED: {
        uint64_t per_block = BLOCK_WORDS / L.words;
        for (uint64_t j = 0; j < per_block; j++)
            bits(L.buf + j * L.words, L.words, 0, layout_stream(L.next + j));
        L.next += per_block;
        L.len = per_block * L.words;
        break;
    }
    case INTERLEAVE: {
        uint64_t round = BLOCK_WORDS / L.streams; /* words of each stream per block */
        for (uint64_t s = 0; s < L.streams; s++)
            bits(L.tmp + s * round, round, L.next * round, layout_stream(s));
        for (uint64_t w = 0; w < round; w++)
            for (uint64_t s = 0; s < L.streams; s++)
                L.buf[w * L.streams + s] = L.tmp[s * round + w];
        L.next++;
        L.len = round * L.streams;
        break;
    }
    }
    if (L.reverse)
        for (size_t i = 0; i < L.len; i++) L.buf[i] = reverse32(L.buf[i]);
    L.pos = 0;
}

static uint32_t next_word(void) {
    if (L.pos == L.len) refill();
    return L.buf[L.pos++];
}

#ifndef INITFILL_BATTERY_NO_TESTU01
static unsigned int testu01_bits(void) { return next_word(); }
#endif

static uint64_t parse_u64(const char *what, const char *s) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-') {
        fprintf(stderr, "initfill_battery: %s must be an unsigned 64-bit number, got %s\n",
                what, s);
        exit(2);
    }
    return (uint64_t)v;
}

static void usage(void) {
    fprintf(stderr,
            "usage: initfill_battery smallcrush|crush|bigcrush|repeat BATTERY TEST N|\n"
            "       stdout|print N|ids N\n"
            "       stream|heads|named|interleave [--seed N] [--stream N] [--streams K]\n"
            "       [--words W] [--names PATTERN] [--reverse]\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 3) usage();
    int a = 1;
    const char *action = argv[a++];
    uint64_t count = 0, test = 0;
    const char *battery = NULL;
    if (!strcmp(action, "print") || !strcmp(action, "ids")) {
        if (argc < 4) usage();
        count = parse_u64("N", argv[a++]);
    } else if (!strcmp(action, "repeat")) {
        if (argc < 6) usage();
        battery = argv[a++];
        test = parse_u64("TEST", argv[a++]);
        count = parse_u64("N", argv[a++]);
        if (test < 1 || test > 106 || count < 1 || count > 1000) {
            fprintf(stderr, "initfill_battery: repeat needs TEST in [1, 106] and N in "
                            "[1, 1000]\n");
            return 2;
        }
    }
    const char *layout = argv[a++];
    if (!strcmp(layout, "stream")) L.layout = STREAM;
    else if (!strcmp(layout, "heads")) L.layout = HEADS;
    else if (!strcmp(layout, "named")) L.layout = NAMED;
    else if (!strcmp(layout, "interleave")) L.layout = INTERLEAVE;
    else usage();
    L.streams = 1024;
    L.words = 1;
    L.names = "layers.{}.weight";
    for (; a < argc; a++) {
        const char *opt = argv[a];
        if (!strcmp(opt, "--reverse")) { L.reverse = 1; continue; }
        if (a + 1 >= argc) usage();
        const char *val = argv[++a];
        if (!strcmp(opt, "--seed")) L.seed = parse_u64(opt, val);
        else if (!strcmp(opt, "--stream")) L.stream = parse_u64(opt, val);
        else if (!strcmp(opt, "--streams")) L.streams = parse_u64(opt, val);
        else if (!strcmp(opt, "--words")) L.words = parse_u64(opt, val);
        else if (!strcmp(opt, "--names")) L.names = val;
        else usage();
    }
    if (L.words < 1 || L.words > BLOCK_WORDS || L.streams < 1 ||
        L.streams > BLOCK_WORDS) {
        fprintf(stderr, "initfill_battery: --words and --streams must be in [1, %u]\n",
                BLOCK_WORDS);
        return 2;
    }
    if (!strstr(L.names, "{}") || strlen(L.names) > 400) {
        fprintf(stderr, "initfill_battery: --names needs one {} and at most 400 chars\n");
        return 2;
    }
    L.buf = malloc(BLOCK_WORDS * sizeof *L.buf);
    L.tmp = malloc(BLOCK_WORDS * sizeof *L.tmp);
    if (!L.buf || !L.tmp) return 1;
    check(initfill_plan_init(&L.plan, INITFILL_BITS, INITFILL_UINT32, NULL, 0));

    switch (L.layout) {
    case STREAM:
        snprintf(L.name, sizeof L.name, "initfill bits_ seed=%llu stream=%llu",
                 (unsigned long long)L.seed, (unsigned long long)L.stream);
        break;
    case HEADS:
        snprintf(L.name, sizeof L.name,
                 "initfill heads seed=%llu streams %llu.. words=%llu",
                 (unsigned long long)L.seed, (unsigned long long)L.stream,
                 (unsigned long long)L.words);
        break;
    case NAMED:
        snprintf(L.name, sizeof L.name,
                 "initfill named seed=%llu names=%s words=%llu",
                 (unsigned long long)L.seed, L.names, (unsigned long long)L.words);
        break;
    case INTERLEAVE:
        snprintf(L.name, sizeof L.name,
                 "initfill interleave seed=%llu streams %llu..+%llu",
                 (unsigned long long)L.seed, (unsigned long long)L.stream,
                 (unsigned long long)L.streams);
        break;
    }
    if (L.reverse) strcat(L.name, " bit-reversed");

    if (!strcmp(action, "print")) {
        for (uint64_t i = 0; i < count; i++) printf("%lu\n", (unsigned long)next_word());
        return 0;
    }
    if (!strcmp(action, "ids")) {
        if (L.layout == INTERLEAVE && count > L.streams) count = L.streams;
        for (uint64_t i = 0; i < count; i++) printf("%llu\n", (unsigned long long)layout_stream(i));
        return 0;
    }
    if (!strcmp(action, "stdout")) {
        for (;;) {
            refill();
            if (fwrite(L.buf, sizeof *L.buf, L.len, stdout) != L.len) return 0;
        }
    }
#ifndef INITFILL_BATTERY_NO_TESTU01
    unif01_Gen *gen = unif01_CreateExternGenBits(L.name, testu01_bits);
    static int rep[201]; /* TestU01's arrays have 1 + 200 entries */
    rep[test] = (int)count;
    if (!strcmp(action, "smallcrush")) bbattery_SmallCrush(gen);
    else if (!strcmp(action, "crush")) bbattery_Crush(gen);
    else if (!strcmp(action, "bigcrush")) bbattery_BigCrush(gen);
    else if (battery && !strcmp(battery, "smallcrush")) bbattery_RepeatSmallCrush(gen, rep);
    else if (battery && !strcmp(battery, "crush")) bbattery_RepeatCrush(gen, rep);
    else if (battery && !strcmp(battery, "bigcrush")) bbattery_RepeatBigCrush(gen, rep);
    else usage();
    for (int j = 0; j < bbattery_NTests; j++)
        if (bbattery_pVal[j] >= 0.0)
            printf("pvalue %d %.6g %s\n", j + 1, bbattery_pVal[j], bbattery_TestNames[j]);
    unif01_DeleteExternGenBits(gen);
    return 0;
#else
    usage();
    return 2;
#endif
}
