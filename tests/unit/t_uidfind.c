/*
 * t_uidfind: the binary search over ascending UIDs, on the element shapes
 * the tree has (a 32-bit UID inside a struct, a 64-bit one, a bare array
 * of UIDs) and at every edge: empty, first, last, missing below, between
 * and above, equal UIDs side by side; then against a plain scan on every
 * short ascending array of small UIDs.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/uidfind.h"
#include "base/util.h"
#include "tap.h"

#define MAXN 8
#define U32MAX 4294967295ULL

/* The shapes: the UID neither first nor alone in its element. */
struct e16 {
	uint16_t pad;
	uint16_t uid;
};

struct e32 {
	unsigned char flags;
	uint32_t uid;
	unsigned char more[3];
};

struct e64 {
	char tag;
	unsigned long long uid;
};

struct shape {
	struct e16 v16[MAXN];
	struct e32 v32[MAXN];
	struct e64 v64[MAXN];
	unsigned long long bare[MAXN];
};

static void
fill(struct shape *s, const unsigned long long *uids, size_t n)
{
	size_t i;

	memset(s, 0xa5, sizeof(*s));	/* the other fields: noise */
	for (i = 0; i < n; i++) {
		s->v16[i].uid = (uint16_t)uids[i];
		s->v32[i].uid = (uint32_t)uids[i];
		s->v64[i].uid = uids[i];
		s->bare[i] = uids[i];
	}
}

static unsigned long long
largest(const unsigned long long *uids, size_t n)
{
	return n ? uids[n - 1] : 0;
}

static void
test_table(void)
{
	static const struct {
		const char *name;
		unsigned long long v[MAXN];
		size_t n;
		unsigned long long uid;
		size_t first, exact;	/* what uidfind_first, uidfind give */
	} t[] = {
		{ "empty", { 0 }, 0, 7, 0, 0 },
		{ "one, found", { 7 }, 1, 7, 0, 0 },
		{ "one, missing below", { 7 }, 1, 6, 0, 1 },
		{ "one, missing above", { 7 }, 1, 8, 1, 1 },
		{ "first", { 3, 5, 9, 12 }, 4, 3, 0, 0 },
		{ "inside", { 3, 5, 9, 12 }, 4, 9, 2, 2 },
		{ "last", { 3, 5, 9, 12 }, 4, 12, 3, 3 },
		{ "missing below", { 3, 5, 9, 12 }, 4, 1, 0, 4 },
		{ "UID 0 missing below", { 3, 5, 9, 12 }, 4, 0, 0, 4 },
		{ "missing between", { 3, 5, 9, 12 }, 4, 7, 2, 4 },
		{ "missing above", { 3, 5, 9, 12 }, 4, 13, 4, 4 },
		{ "equal UIDs: the first of them", { 3, 5, 5, 5, 9 }, 5, 5,
			1, 1 },
		{ "equal UIDs at the end", { 3, 9, 9 }, 3, 9, 1, 1 },
		{ "equal UIDs at the start", { 2, 2, 9 }, 3, 2, 0, 0 },
		{ "all equal, missing above", { 4, 4, 4, 4 }, 4, 5, 4, 4 },
		{ "odd count, last", { 1, 2, 3, 4, 5, 6, 7 }, 7, 7, 6, 6 },
		{ "even count, first", { 1, 2, 3, 4, 5, 6, 7, 8 }, 8, 1,
			0, 0 },
		{ "the largest 32-bit UID", { 1, U32MAX }, 2, U32MAX, 1, 1 },
		{ "past 32 bits, above all", { 1, U32MAX }, 2, U32MAX + 1,
			2, 2 },
		{ "past 32 bits, found", { 1, U32MAX + 1, 1ULL << 40 }, 3,
			1ULL << 40, 2, 2 },
		{ "past 32 bits, between", { 1, U32MAX + 1, 1ULL << 40 }, 3,
			U32MAX + 2, 2, 3 },
	};
	struct shape s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		unsigned long long top = largest(t[i].v, t[i].n);
		char name[128];

		fill(&s, t[i].v, t[i].n);
		snprintf(name, sizeof name, "%s: 64-bit first", t[i].name);
		tap_int((long long)UIDFIND_FIRST(s.v64, t[i].n, struct e64,
			uid, t[i].uid), (long long)t[i].first, name);
		snprintf(name, sizeof name, "%s: 64-bit exact", t[i].name);
		tap_int((long long)UIDFIND(s.v64, t[i].n, struct e64, uid,
			t[i].uid), (long long)t[i].exact, name);
		snprintf(name, sizeof name, "%s: bare array", t[i].name);
		tap_int((long long)uidfind(s.bare, t[i].n, sizeof(*s.bare), 0,
			sizeof(*s.bare), t[i].uid), (long long)t[i].exact,
			name);
		if (top <= U32MAX) {
			snprintf(name, sizeof name, "%s: 32-bit first",
				t[i].name);
			tap_int((long long)UIDFIND_FIRST(s.v32, t[i].n,
				struct e32, uid, t[i].uid),
				(long long)t[i].first, name);
			snprintf(name, sizeof name, "%s: 32-bit exact",
				t[i].name);
			tap_int((long long)UIDFIND(s.v32, t[i].n, struct e32,
				uid, t[i].uid), (long long)t[i].exact, name);
		}
		if (top <= UINT16_MAX && t[i].uid <= UINT16_MAX) {
			snprintf(name, sizeof name, "%s: 16-bit exact",
				t[i].name);
			tap_int((long long)UIDFIND(s.v16, t[i].n, struct e16,
				uid, t[i].uid), (long long)t[i].exact, name);
		}
	}
	tap_int((long long)uidfind_first(NULL, 0, 8, 0, 8, 1), 0,
		"no array at all: first");
	tap_int((long long)uidfind(NULL, 0, 8, 0, 8, 1), 0,
		"no array at all: exact");
}

/* What the search must give, by a plain scan. */
static void
scan(const unsigned long long *v, size_t n, unsigned long long uid,
	size_t *first, size_t *exact)
{
	size_t i;

	for (i = 0; i < n && v[i] < uid; i++)
		;
	*first = i;
	*exact = i < n && v[i] == uid ? i : n;
}

/* The next ascending array over UIDs 1..top in place; 0 after the last. */
static int
next_array(unsigned long long *v, size_t n, unsigned long long top)
{
	size_t i = n;

	while (i > 0 && v[i - 1] == top)
		i--;
	if (i == 0)
		return 0;
	v[i - 1]++;
	for (; i < n; i++)
		v[i] = v[i - 1];
	return 1;
}

static void
test_scan(void)
{
	unsigned long long v[6];
	size_t n, i, arrays = 0, bad = 0;
	struct shape s;

	for (n = 0; n <= 6; n++) {
		for (i = 0; i < n; i++)
			v[i] = 1;
		do {
			unsigned long long uid;

			fill(&s, v, n);
			for (uid = 0; uid <= 5; uid++) {
				size_t first, exact;

				scan(v, n, uid, &first, &exact);
				bad += UIDFIND_FIRST(s.v32, n, struct e32,
					uid, uid) != first;
				bad += UIDFIND(s.v32, n, struct e32, uid,
					uid) != exact;
				bad += UIDFIND_FIRST(s.v64, n, struct e64,
					uid, uid) != first;
				bad += UIDFIND(s.v64, n, struct e64, uid,
					uid) != exact;
			}
			arrays++;
		} while (n > 0 && next_array(v, n, 4));
	}
	tap_int((long long)arrays, 210, "every ascending array of up to 6 "
		"UIDs from 1 to 4");
	tap_int((long long)bad, 0, "each agrees with a plain scan for "
		"UIDs 0 to 5");
}

int
main(void)
{
	test_table();
	test_scan();
	return tap_done();
}
