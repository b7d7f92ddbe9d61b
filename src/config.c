// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/config.h"
#include "minivmm/layout.h"

const char config_usage[] =
	"Usage: minivmm [options]\n"
	"Boot a Linux guest on KVM, optionally owning host PCI functions through VFIO.\n"
	"\n"
	"Guest:\n"
	"  --kernel FILE      bzImage to boot (Linux x86 boot protocol 2.12 or later), or\n"
	"                     an x86_64 vmlinux ELF (a kernel tree's build output)\n"
	"  --initrd FILE      initramfs for the guest\n"
	"  --cmdline STR      kernel command line (default: \"" CONFIG_DEFAULT_CMDLINE "\")\n"
	"  --cpus N           number of vCPUs, 1-255, may exceed the host's CPUs (default 1)\n"
	"  --mem SIZE         guest RAM, with K/M/G suffix; a bare number is MiB (default 512M)\n"
	"  --console FILE     write the guest console (COM1) to FILE instead of stdout\n"
	"  --kaslr            let the bzImage decompress itself in the guest, which also\n"
	"                     randomizes the kernel's address (KASLR); slower. Default:\n"
	"                     minivmm decompresses it once into ~/.cache/minivmm and\n"
	"                     starts the kernel directly at its link-time address\n"
	"\n"
	"Commands (zero-config: without --kernel, the host's running kernel boots\n"
	"with an initramfs minivmm builds, holding the modules of the assigned devices):\n"
	"  --run 'CMD'        run CMD with sh in the guest after its drivers are loaded;\n"
	"                     its exit status becomes minivmm's\n"
	"  -- CMD ARGS...     the same, without a shell quoting round\n"
	"  --modules DIR      modules tree of --kernel (e.g. an unpacked kernel package's\n"
	"                     lib/modules/VERSION; default /lib/modules/$(uname -r))\n"
	"  --share DIR        copy DIR into the guest at /mnt/share\n"
	"  --timeout SECONDS  stop the guest after SECONDS, print its last lines, status 124\n"
	"  --junit FILE       write the KTAP/TAP results the guest printed as JUnit XML"
	"\n"
	"Devices:\n"
	"  --assign BDF       give the guest host PCI function BDF (DDDD:BB:DD.F or BB:DD.F)\n"
	"                     through VFIO; repeatable\n"
	"  --no-rebind        fail instead of re-binding an assigned device to vfio-pci\n"
	"\n"
	"Diagnostics:\n"
	"  --stats            print VM-exit and device access counts as JSON on stderr at exit\n"
	"  -v, --verbose      more messages on stderr (repeat for debug)\n"
	"  -h, --help         this text\n"
	"  --version          print the version\n"
	"\n"
	"Exit status:\n"
	"  0       the guest powered off or rebooted\n"
	"  1-123   reserved for the status of a command run in the guest\n"
	"  124     timeout\n"
	"  125     minivmm error (bad option, unreadable file, KVM/VFIO failure)\n"
	"  126     guest crash (kernel panic, triple fault)\n"
	"  128+N   stopped by signal N (130 SIGINT, 143 SIGTERM), after an orderly teardown\n";

enum {
	OPT_KERNEL = 256,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_CPUS,
	OPT_MEM,
	OPT_CONSOLE,
	OPT_ASSIGN,
	OPT_NO_REBIND,
	OPT_STATS,
	OPT_VERSION,
	OPT_RUN,
	OPT_MODULES,
	OPT_SHARE,
	OPT_JUNIT,
	OPT_TIMEOUT,
	OPT_KASLR,
};

static const struct option options[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "assign", required_argument, NULL, OPT_ASSIGN },
	{ "no-rebind", no_argument, NULL, OPT_NO_REBIND },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "modules", required_argument, NULL, OPT_MODULES },
	{ "share", required_argument, NULL, OPT_SHARE },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "kaslr", no_argument, NULL, OPT_KASLR },
	{ NULL, 0, NULL, 0 },
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A decimal number in [@min, @max], nothing else around it. */
static int parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || n < (long)min || n > (long)max)
		return -EINVAL;
	*out = n;
	return 0;
}

int config_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 20;

	/* strtoull would skip blanks and accept a sign: digits only. */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'b': case 'B': shift = 0; end++; break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 0: break;
	default: return -EINVAL;
	}
	if (*end == 'i' && shift) /* accept "512Mi" too */
		end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int config_parse(struct config *cfg, int argc, char *const argv[], char *err, size_t errlen)
{
	int c, arg;

	memset(cfg, 0, sizeof(*cfg));
	cfg->cpus = 1;
	cfg->mem = CONFIG_DEFAULT_MEM;
	cfg->cmdline = CONFIG_DEFAULT_CMDLINE;
	err[0] = 0;

	optind = 0; /* full re-initialisation: the parser may run more than once */
	opterr = 0;
	for (;;) {
		/* The argument getopt looks at, which its errors name: optind
		 * moves past a cluster ("-vz") only with its last letter. */
		arg = optind ? optind : 1;
		c = getopt_long(argc, argv, "+:vh", options, NULL);
		if (c == -1)
			break;
		switch (c) {
		case OPT_KERNEL: cfg->kernel = optarg; break;
		case OPT_INITRD: cfg->initrd = optarg; break;
		case OPT_CMDLINE: cfg->cmdline = optarg; cfg->cmdline_given = true; break;
		case OPT_RUN: cfg->run = optarg; break;
		case OPT_MODULES: cfg->modules = optarg; break;
		case OPT_SHARE: cfg->share = optarg; break;
		case OPT_JUNIT: cfg->junit = optarg; break;
		case OPT_TIMEOUT:
			if (parse_uint(optarg, 1, CONFIG_MAX_TIMEOUT, &cfg->timeout))
				return fail(err, errlen,
					    "--timeout '%s' is not a number of seconds from 1 to %d: give e.g. --timeout 60",
					    optarg, CONFIG_MAX_TIMEOUT);
			break;
		case OPT_CONSOLE: cfg->console = optarg; break;
		case OPT_CPUS:
			if (parse_uint(optarg, 1, CONFIG_MAX_CPUS, &cfg->cpus))
				return fail(err, errlen,
					    "--cpus '%s' is not a number from 1 to %d: give e.g. --cpus 4",
					    optarg, CONFIG_MAX_CPUS);
			break;
		case OPT_MEM:
			if (config_parse_size(optarg, &cfg->mem))
				return fail(err, errlen,
					    "--mem '%s' is not a size: give e.g. --mem 512M or --mem 4G",
					    optarg);
			break;
		case OPT_ASSIGN:
			if (cfg->nassign == CONFIG_MAX_ASSIGN)
				return fail(err, errlen, "too many --assign: at most %d devices",
					    CONFIG_MAX_ASSIGN);
			if (pci_bdf_parse(optarg, &cfg->assign[cfg->nassign]))
				return fail(err, errlen,
					    "--assign '%s' is not a PCI address: write DDDD:BB:DD.F or BB:DD.F as in lspci -D, e.g. 0000:03:00.0",
					    optarg);
			for (unsigned int i = 0; i < cfg->nassign; i++)
				if (!memcmp(&cfg->assign[i], &cfg->assign[cfg->nassign],
					    sizeof(struct pci_bdf)))
					return fail(err, errlen,
						    "--assign '%s' given twice: assign each device once",
						    optarg);
			cfg->nassign++;
			break;
		case OPT_NO_REBIND: cfg->no_rebind = true; break;
		case OPT_KASLR: cfg->kaslr = true; break;
		case OPT_STATS: cfg->stats = true; break;
		case 'v': cfg->verbosity++; break;
		case 'h': cfg->help = true; break;
		case OPT_VERSION: cfg->version = true; break;
		case ':':
			return fail(err, errlen, "option '%s' needs a value: see minivmm --help", argv[arg]);
		default:
			/* A short option (optopt is its character) or a long one (its
			 * code, or 0 when unknown): name it as the user wrote it. */
			if (optopt > 0 && optopt < 128 && argv[arg][1] != '-')
				return fail(err, errlen, "unknown option '-%c': see minivmm --help", optopt);
			if (optopt)
				return fail(err, errlen, "option '%s' takes no value: see minivmm --help",
					    argv[arg]);
			return fail(err, errlen, "unknown option '%s': see minivmm --help", argv[arg]);
		}
	}
	if (cfg->help || cfg->version)
		return 0;
	/* getopt stepped over a "--" that ended the options (not over an
	 * option's value "--", nor argv[0]). */
	if (optind < argc && optind == arg + 1 && !strcmp(argv[arg], "--")) {
		if (cfg->run)
			return fail(err, errlen, "both --run and '-- CMD' given: use one of them");
		cfg->run = cfg->run_owned = config_shell_join(argc - optind, argv + optind);
		if (!cfg->run)
			return fail(err, errlen, "out of memory");
	} else if (optind < argc) {
		return fail(err, errlen, "unexpected argument '%s': options start with --; put a guest command after --",
			    argv[optind]);
	}
	if (cfg->modules && !cfg->kernel)
		return fail(err, errlen, "--modules needs --kernel: it is the modules tree of that kernel");
	if (cfg->mem < CONFIG_MIN_MEM)
		return fail(err, errlen, "--mem %" PRIu64 "M is too small: give at least %lluM",
			    cfg->mem >> 20, CONFIG_MIN_MEM >> 20);
	if (cfg->mem > LAYOUT_RAM_MAX)
		return fail(err, errlen, "--mem %" PRIu64 "M is too large: at most %lluG fits below the 64-bit PCI window",
			    cfg->mem >> 20, LAYOUT_RAM_MAX >> 30);
	if (cfg->mem & 0xfff)
		return fail(err, errlen, "--mem %" PRIu64 " bytes is not a whole number of 4K pages: round it, e.g. --mem 512M",
			    cfg->mem);
	if (strlen(cfg->cmdline) >= LAYOUT_CMDLINE_MAX)
		return fail(err, errlen, "--cmdline is %zu bytes: at most %llu fit", strlen(cfg->cmdline),
			    LAYOUT_CMDLINE_MAX - 1);
	return 0;
}

char *config_shell_join(int argc, char *const argv[])
{
	size_t len = 1;
	char *out, *p;

	for (int i = 0; i < argc; i++) {
		len += 3; /* quotes and a space */
		for (const char *c = argv[i]; *c; c++)
			len += *c == '\'' ? 4 : 1; /* ' becomes '\'' */
	}
	out = p = malloc(len);
	if (!out)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			*p++ = ' ';
		*p++ = '\'';
		for (const char *c = argv[i]; *c; c++) {
			if (*c == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *c;
			}
		}
		*p++ = '\'';
	}
	*p = 0;
	return out;
}

void config_free(struct config *cfg)
{
	free(cfg->run_owned);
	cfg->run_owned = NULL;
	cfg->run = NULL;
}
