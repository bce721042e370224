/* uidfind.c: see uidfind.h. */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "base/uidfind.h"

/* The UID of width bytes at p; memcpy, as p need not be aligned for it. */
static unsigned long long
uid_at(const unsigned char *p, size_t width)
{
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (width) {
	case 1:
		return *p;
	case 2:
		memcpy(&u16, p, 2);
		return u16;
	case 4:
		memcpy(&u32, p, 4);
		return u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

size_t
uidfind_first(const void *v, size_t n, size_t size, size_t off,
	size_t width, unsigned long long uid)
{
	const unsigned char *base = v;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (uid_at(base + mid * size + off, width) < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t
uidfind(const void *v, size_t n, size_t size, size_t off, size_t width,
	unsigned long long uid)
{
	size_t i = uidfind_first(v, n, size, off, width, uid);

	if (i < n && uid_at((const unsigned char *)v + i * size + off,
	    width) == uid)
		return i;
	return n;
}
