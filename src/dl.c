// SPDX-License-Identifier: GPL-2.0-only
#include <dlfcn.h>
#include <stdio.h>

#include "minivmm/dl.h"

void *dl_open(const char *soname, const char *package, const struct dl_sym *syms, size_t n, char *err,
	      size_t errlen)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(err, errlen, "cannot load %s (%s): install %s", soname, dlerror(), package);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (!*syms[i].slot) {
			snprintf(err, errlen, "%s has no %s: install a current %s", soname, syms[i].name, package);
			dlclose(h);
			return NULL;
		}
	}
	return h;
}

void dl_close(void *handle)
{
	if (handle)
		dlclose(handle);
}
