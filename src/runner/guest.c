// SPDX-License-Identifier: GPL-2.0-only
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "minivmm/arch.h"
#include "minivmm/cache.h"
#include "minivmm/log.h"
#include "minivmm/progress.h"
#include "minivmm/pci_bdf.h"
#include "minivmm/runner/guest.h"
#include "minivmm/runner/initramfs.h"
#include "minivmm/stress/rng.h"

#define DEFAULT_BUSYBOX "/bin/busybox"
/*
 * Quiet, but not "quiet" (console log level 4, errors and worse): WARN's
 * report is KERN_WARNING and the registers and stacks of the others
 * KERN_DEFAULT (4), which the kernel-log verdicts need on the console.
 */
#define ZERO_CONFIG_CMDLINE "console=ttyS0 loglevel=5"
/* The ACPI id of minivmm's pvpanic device (devices/pvpanic.c) as a modalias. */
#define PVPANIC_MODALIAS "acpi:QEMU0001:"


/* A dynamically linked busybox cannot run in a guest without a libc. */
static bool elf_is_static(const char *path)
{
	Elf64_Ehdr eh;
	bool ok = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64) {
		ok = true;
		for (unsigned int i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;

			if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) != sizeof(ph) ||
			    ph.p_type == PT_INTERP) {
				ok = false;
				break;
			}
		}
	}
	close(fd);
	return ok;
}

void guest_read_modalias(const struct pci_bdf *bdf, char *out, size_t len)
{
	char path[128], name[PCI_BDF_STRLEN];
	FILE *f;

	out[0] = 0;
	pci_bdf_format(bdf, name);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/modalias", name);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(out, len, f))
		out[strcspn(out, "\n")] = 0;
	fclose(f);
}

int guest_boot_prepare(const struct config *cfg, struct guest_boot *gb, char *err, size_t errlen)
{
	char aliases[CONFIG_MAX_ASSIGN][256], modules_dir[PATH_MAX], cache[PATH_MAX];
	const char *alias_ptrs[CONFIG_MAX_ASSIGN + 1];
	struct initramfs_spec spec = { 0 };
	struct utsname u;
	const char *env;
	int ret;

	memset(gb, 0, sizeof(*gb));
	uname(&u);
	if (cfg->kernel) {
		snprintf(gb->kernel, sizeof(gb->kernel), "%s", cfg->kernel);
	} else {
		snprintf(gb->kernel, sizeof(gb->kernel), "/boot/vmlinuz-%s", u.release);
		if (access(gb->kernel, R_OK)) {
			snprintf(err, errlen, "no --kernel and the host's kernel %s is not readable: pass --kernel BZIMAGE",
				 gb->kernel);
			return -ENOENT;
		}
	}
	snprintf(gb->cmdline, sizeof(gb->cmdline), "%s",
		 cfg->cmdline_given ? cfg->cmdline : cfg->kernel && !cfg->run ? cfg->cmdline : ZERO_CONFIG_CMDLINE);
	if (cfg->initrd) {
		snprintf(gb->initrd, sizeof(gb->initrd), "%s", cfg->initrd);
		return 0;
	}
	if (cfg->kernel && !cfg->run && !cfg->modules && !cfg->share)
		return 0; /* a bare kernel, as asked */

	/* Modules: of the running kernel, or of --kernel's --modules tree. */
	if (cfg->modules)
		snprintf(modules_dir, sizeof(modules_dir), "%s", cfg->modules);
	else
		snprintf(modules_dir, sizeof(modules_dir), "/lib/modules/%s", u.release);
	spec.modules_dir = (cfg->modules || !cfg->kernel) ? modules_dir : NULL;
	/* The guest's pvpanic device, so that a panic is caught without the console. */
	alias_ptrs[spec.nmodaliases++] = PVPANIC_MODALIAS;
	for (unsigned int i = 0; i < cfg->nassign; i++) {
		guest_read_modalias(&cfg->assign[i], aliases[i], sizeof(aliases[i]));
		alias_ptrs[spec.nmodaliases] = aliases[i];
		if (aliases[i][0])
			spec.nmodaliases++;
	}
	spec.modaliases = alias_ptrs;
	env = getenv("MINIVMM_BUSYBOX");
	spec.busybox = env ? env : DEFAULT_BUSYBOX;
	if (!elf_is_static(spec.busybox)) {
		snprintf(err, errlen, "%s is not a static busybox: install busybox-static (or set MINIVMM_BUSYBOX)",
			 spec.busybox);
		return -ENOEXEC;
	}
	spec.init = guest_init_script;
	spec.run = cfg->run;
	spec.share = cfg->share;
	cache_dir(cache, sizeof(cache));
	spec.cache_dir = cache;
	progress_begin("preparing the guest initramfs");
	ret = initramfs_get(&spec, gb->initrd, sizeof(gb->initrd), err, errlen);
	progress_end();
	if (ret)
		return ret;
	gb->built_initrd = true;
	/* The guest init writes the command's status where the arch says. */
	if (strlen(gb->cmdline) + 1 + strlen(arch_layout.status_cmdline) + 1 > sizeof(gb->cmdline)) {
		snprintf(err, errlen, "--cmdline too long");
		return -E2BIG;
	}
	strcat(gb->cmdline, " ");
	strcat(gb->cmdline, arch_layout.status_cmdline);
	return 0;
}

/* Streams of the run's seed for the guest's stressors (jitter uses 1). */
#define CPU_CHURN_STREAM 2
#define IRQ_CHURN_STREAM 3

/* " minivmm.NAME=MS:SEED" with a 31-bit seed of @stream (the guest's LCG). */
static int add_churn(struct guest_boot *gb, const char *name, unsigned int ms, uint64_t seed, uint64_t stream)
{
	size_t n = strlen(gb->cmdline);
	struct rng r;
	int w;

	if (!ms)
		return 0;
	rng_seed(&r, seed, stream);
	w = snprintf(gb->cmdline + n, sizeof(gb->cmdline) - n, " minivmm.%s=%u:%llu", name, ms,
		     (unsigned long long)(rng_next(&r) & 0x7fffffff));
	if (w < 0 || (size_t)w >= sizeof(gb->cmdline) - n) {
		gb->cmdline[n] = 0;
		return -E2BIG;
	}
	return 0;
}

int guest_boot_add_stress(const struct config *cfg, struct guest_boot *gb, char *err, size_t errlen)
{
	if (add_churn(gb, "cpu_churn", cfg->cpu_churn_ms, cfg->seed, CPU_CHURN_STREAM) ||
	    add_churn(gb, "irq_churn", cfg->irq_churn_ms, cfg->seed, IRQ_CHURN_STREAM)) {
		snprintf(err, errlen, "--cmdline too long for the stress parameters: shorten it");
		return -E2BIG;
	}
	return 0;
}
