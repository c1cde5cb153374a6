/* A self-checking workload in the spirit of CoreMark: linked-list work, a
 * small matrix multiply, a token-classifying state machine and CRC32 over all
 * results. It runs ITERATIONS times, each iteration on different data, and
 * compares the checksum with EXPECTED.
 *
 * The same file builds for the host (-DHOST: prints the checksum, used to
 * derive EXPECTED) and bare-metal for the core (writes the checksum to the
 * OUT register and exits with 0 when it matches).
 * Protected: changing it changes what the score means. */
#include <stdint.h>

#define ITERATIONS 32
#define EXPECTED 0x8a37659au

#define LIST_NODES 48
#define MAT_N 8
#define TEXT_LEN 160

static uint32_t rng_state;

static uint32_t rng(void)
{
    /* xorshift32: shifts and xors only, so no multiply on rv32i */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static uint32_t crc32_word(uint32_t crc, uint32_t word)
{
    crc = ~crc;
    for (int i = 0; i < 32; i++) {
        uint32_t bit = (crc ^ word) & 1u;
        crc >>= 1;
        word >>= 1;
        if (bit) crc ^= 0xEDB88320u;
    }
    return ~crc;
}

/* ---- linked list --------------------------------------------------------- */

struct node {
    struct node *next;
    int32_t key;
    uint32_t val;
};

static struct node nodes[LIST_NODES];

static struct node *list_build(void)
{
    struct node *head = 0;
    for (int i = 0; i < LIST_NODES; i++) {
        nodes[i].key = (int32_t)(rng() & 0x3ff) - 512;
        nodes[i].val = rng();
        nodes[i].next = head;
        head = &nodes[i];
    }
    return head;
}

static struct node *list_reverse(struct node *head)
{
    struct node *prev = 0;
    while (head) {
        struct node *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

/* Insertion sort by key, stable. */
static struct node *list_sort(struct node *head)
{
    struct node *sorted = 0;
    while (head) {
        struct node *n = head;
        head = head->next;
        struct node **p = &sorted;
        while (*p && (*p)->key <= n->key) p = &(*p)->next;
        n->next = *p;
        *p = n;
    }
    return sorted;
}

static struct node *list_find(struct node *head, int32_t key)
{
    while (head && head->key != key) head = head->next;
    return head;
}

/* Remove every node whose value has its low bit set. */
static struct node *list_filter(struct node *head)
{
    struct node **p = &head;
    while (*p) {
        if ((*p)->val & 1u) *p = (*p)->next;
        else p = &(*p)->next;
    }
    return head;
}

static uint32_t bench_list(uint32_t crc)
{
    struct node *head = list_build();
    head = list_reverse(head);
    for (int i = 0; i < 8; i++) {
        struct node *hit = list_find(head, nodes[i * 5].key);
        crc = crc32_word(crc, hit ? hit->val : 0xdeadbeefu);
        hit = list_find(head, (int32_t)i - 600);  /* never present */
        crc = crc32_word(crc, hit ? 1u : 0u);
    }
    head = list_sort(head);
    head = list_filter(head);
    for (struct node *n = head; n; n = n->next)
        crc = crc32_word(crc, (uint32_t)n->key ^ n->val);
    return crc;
}

/* ---- matrix -------------------------------------------------------------- */

static int16_t mat_a[MAT_N][MAT_N];
static int16_t mat_b[MAT_N][MAT_N];
static int32_t mat_c[MAT_N][MAT_N];

static uint32_t bench_matrix(uint32_t crc)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            mat_a[i][j] = (int16_t)(rng() & 0xfff) - 2048;
            mat_b[i][j] = (int16_t)(rng() & 0xff) - 128;
        }
    /* C = A * B, then C += A * constant, then a bit-field reduction */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t sum = 0;
            for (int k = 0; k < MAT_N; k++)
                sum += (int32_t)mat_a[i][k] * (int32_t)mat_b[k][j];
            mat_c[i][j] = sum;
        }
    int32_t c = (int32_t)(rng() & 0x7f) + 1;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++)
            mat_c[i][j] += (int32_t)mat_a[i][j] * c;
    for (int i = 0; i < MAT_N; i++) {
        uint32_t row = 0;
        for (int j = 0; j < MAT_N; j++)
            row += ((uint32_t)mat_c[i][j] >> 3) & 0x1fffu;
        crc = crc32_word(crc, row);
    }
    int32_t max = mat_c[0][0];
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++)
            if (mat_c[i][j] > max) max = mat_c[i][j];
    return crc32_word(crc, (uint32_t)max);
}

/* ---- state machine --------------------------------------------------------- */

enum state { START, INT, FRAC, EXP_SIGN, EXP, INVALID, N_STATES };

static char text[TEXT_LEN];

static void text_build(void)
{
    static const char digits[16] = "0123456789012345";
    static const char alphabet[16] = "0123456789.e-+,x";
    for (int i = 0; i < TEXT_LEN; i++) {
        uint32_t r = rng();
        /* mostly digits, sometimes punctuation, a separator every so often */
        text[i] = (r & 3u) ? digits[(r >> 2) & 15u] : alphabet[(r >> 4) & 15u];
    }
}

/* Classify comma-separated tokens as integer, decimal, scientific or invalid. */
static uint32_t bench_state(uint32_t crc)
{
    uint32_t counts[N_STATES] = {0};
    uint32_t transitions = 0;
    enum state s = START;
    text_build();
    for (int i = 0; i <= TEXT_LEN; i++) {
        char ch = i < TEXT_LEN ? text[i] : ',';
        enum state next = s;
        if (ch == ',') {
            counts[s]++;
            next = START;
        } else {
            int digit = ch >= '0' && ch <= '9';
            switch (s) {
            case START:    next = digit ? INT : (ch == '-' || ch == '+') ? INT : INVALID; break;
            case INT:      next = digit ? INT : ch == '.' ? FRAC : ch == 'e' ? EXP_SIGN : INVALID; break;
            case FRAC:     next = digit ? FRAC : ch == 'e' ? EXP_SIGN : INVALID; break;
            case EXP_SIGN: next = (digit || ch == '-' || ch == '+') ? EXP : INVALID; break;
            case EXP:      next = digit ? EXP : INVALID; break;
            default:       next = INVALID; break;
            }
        }
        if (next != s) transitions++;
        s = next;
    }
    for (int i = 0; i < N_STATES; i++) crc = crc32_word(crc, counts[i]);
    return crc32_word(crc, transitions);
}

/* ---- driver ---------------------------------------------------------------- */

uint32_t bench_run(void)
{
    uint32_t crc = 0;
    for (uint32_t it = 0; it < ITERATIONS; it++) {
        rng_state = 0x12345678u ^ (it << 8) ^ it;
        crc = bench_list(crc);
        crc = bench_matrix(crc);
        crc = bench_state(crc);
    }
    return crc;
}

#ifdef HOST
#include <stdio.h>
int main(void)
{
    uint32_t crc = bench_run();
    printf("iterations: %d\nchecksum: 0x%08x\nexpected: 0x%08x\n", ITERATIONS, crc, EXPECTED);
    return crc == EXPECTED ? 0 : 1;
}
#else
#define IO_LEDS (*(volatile uint32_t *)0x80000000u)
#define IO_OUT  (*(volatile uint32_t *)0x80000004u)

int main(void)
{
    IO_LEDS = 1;
    uint32_t crc = bench_run();
    IO_OUT = ITERATIONS;
    IO_OUT = crc;
    IO_LEDS = crc == EXPECTED ? 0x3f : 0x15;
    return crc == EXPECTED ? 0 : 1;
}
#endif
