// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <unistd.h>

#include "minivmm/fileio.h"

/* One read(2) moves at most this much (Linux caps a call near 2 GiB). */
#define READ_CHUNK (1ULL << 30)

int64_t file_pread_full(int fd, void *buf, uint64_t n, uint64_t off)
{
	uint64_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)buf + done, n - done > READ_CHUNK ? READ_CHUNK : n - done,
				  off + done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		done += r;
	}
	return done;
}
