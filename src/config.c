// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivmm/arch.h"
#include "minivmm/config.h"

/* Stressor defaults (--stress, and --jitter RATE alone). */
#define JITTER_DEFAULT_RATE 100
#define JITTER_DEFAULT_MAX 10000 /* us */
#define CPU_CHURN_DEFAULT_MS 1000
#define IRQ_CHURN_DEFAULT_MS 500

const char config_usage[] =
	"Usage: minivmm [options]\n"
	"       minivmm ctl PATH COMMAND [ARGS...]   (see minivmm ctl --help)\n"
	"       minivmm doctor [--json] [--mem SIZE] [BDF...]   (is this host ready?)\n"
	"       minivmm restore [--force] [BDF...]   (give back devices a killed minivmm left)\n"
	"Boot a Linux guest on KVM, optionally owning host PCI functions through VFIO.\n"
	"\n"
	"Guest:\n"
	"  --kernel FILE      bzImage to boot (Linux x86 boot protocol 2.12 or later), or\n"
	"                     an x86_64 vmlinux ELF (a kernel tree's build output); on arm64\n"
	"                     an Image, also gzip/xz/zstd-compressed or an EFI zboot vmlinuz.efi\n"
	"  --initrd FILE      initramfs for the guest\n"
	"  --cmdline STR      kernel command line (default: \"" CONFIG_DEFAULT_CMDLINE "\")\n"
	"  --cpus N           number of vCPUs, from 1 to what KVM allows (KVM_CAP_MAX_VCPUS);\n"
	"                     may exceed the host's CPUs (default 1)\n"
	"  --mem SIZE         guest RAM, with K/M/G suffix; a bare number is MiB (default 512M)\n"
	"  --hugepages        back guest RAM with 2 MiB hugetlbfs pages (reserve them\n"
	"                     first: /proc/sys/vm/nr_hugepages); --mem in whole 2 MiB\n"
	"  --console FILE     write the guest console (COM1) to FILE instead of stdout\n"
	"  --kernel-package FILE[,FILE...]\n"
	"                     boot the kernel of a distribution kernel package (Debian/\n"
	"                     Ubuntu linux-image-*.deb, Fedora/RHEL kernel-core-*.rpm; with\n"
	"                     Ubuntu's linux-modules(-extra) or Fedora's kernel-modules\n"
	"                     (-core,-extra) package, after a comma or in another option),\n"
	"                     unpacked once into ~/.cache/minivmm, with the zero-config\n"
	"                     initramfs built from its own modules. Repeatable: the same\n"
	"                     command runs under each kernel in turn; a table of kernels,\n"
	"                     statuses, times and test counts follows, --junit gets one\n"
	"                     <testsuite> per kernel, --console FILE becomes FILE.VERSION\n"
	"                     (several kernels), and the status is the first kernel's\n"
	"                     that was not 0 (125 for a package that cannot boot)\n"
	"  --kaslr            let the bzImage decompress itself in the guest, which also\n"
	"                     randomizes the kernel's address (KASLR); slower. Default:\n"
	"                     minivmm decompresses it once into ~/.cache/minivmm and\n"
	"                     starts the kernel directly at its link-time address.\n"
	"                     arm64: a kaslr-seed in the device tree (default: none)\n"
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
	"  --junit FILE       write the KTAP/TAP results the guest printed as JUnit XML,\n"
	"                     and a failed case per bug report of the guest kernel\n"
	"  --json FILE        write the run's summary (kernel, status and why, tests,\n"
	"                     kernel bug reports, devices, faults, stress figures) as\n"
	"                     a JSON line per run\n"
	"  --klog-ignore PATTERN\n"
	"                     accept the guest kernel's bug reports whose title (e.g.\n"
	"                     'WARNING in foo_probe') or first line matches the shell\n"
	"                     glob PATTERN; repeatable. Any other report on the console\n"
	"                     (WARNING, BUG, oops, lockups, stalls, hung tasks, KASAN,\n"
	"                     UBSAN, lockdep, list corruption, ...) makes a status of 0 a 1\n"
	"\n"
	"SMP stress (every random choice comes from --seed: the same seed replays them):\n"
	"  --seed N           seed of the run (default: a random one, printed at start)\n"
	"  --jitter RATE[,MAX][,spin]\n"
	"                     kick vCPUs out of KVM_RUN RATE times a second (over all\n"
	"                     vCPUs) and hold each for up to MAX (default 10ms), asleep\n"
	"                     or spinning on its host CPU\n"
	"  --cpu-churn INTERVAL  the guest takes a random CPU (never CPU 0) offline or\n"
	"                     online every INTERVAL (e.g. 500ms)\n"
	"  --irq-churn INTERVAL  the guest moves the assigned devices' IRQs to random\n"
	"                     CPUs every INTERVAL\n"
	"  --stress           all of them: --jitter 100,10ms --cpu-churn 1s --irq-churn 500ms\n"
	"                     (options given as well keep their values)\n"
	"\n"
	"Devices:\n"
	"  --assign BDF[,irq=MODE]\n"
	"                     give the guest host PCI function BDF (DDDD:BB:DD.F or BB:DD.F)\n"
	"                     through VFIO; repeatable. irq=intx|msi|msix: the guest sees\n"
	"                     no interrupt capability above MODE (MSI-X, then MSI), so its\n"
	"                     driver takes its fallback path\n"
	"  --no-rebind        fail instead of re-binding an assigned device to vfio-pci\n"
	"\n"
	"  --trace BDF:REGION[:OFFSET[+LEN]]\n"
	"                     log every guest access to that range of an assigned function\n"
	"                     (REGION bar0..bar5 or config) to the trace file; only the\n"
	"                     pages it covers trap; repeatable\n"
	"  --trace-file FILE  where --trace and ctl trace write (default minivmm-trace.txt)\n"
	"\n"
	"Control:\n"
	"  --control PATH     take control commands on the Unix socket PATH (mode 0600),\n"
	"                     a JSON object per line (status, stop, help); send them with\n"
	"                     minivmm ctl PATH COMMAND (see minivmm(1), CONTROL SOCKET)\n"
	"  --at TIME:COMMAND  run a control command TIME after the guest started (1500ms,\n"
	"                     5s, 2m; a bare number is seconds), e.g. --at 30s:stop;\n"
	"                     repeatable; each result is a line on stderr and in --stats\n"
	"\n"
	"Diagnostics:\n"
	"  --stats            print VM-exit and device access counts as JSON on stderr at exit\n"
	"  -q, --quiet        only errors on stderr (no progress lines, warnings or the\n"
	"                     tests: summary); the exit status says the rest\n"
	"  -v, --verbose      more messages on stderr (repeat for debug)\n"
	"  -h, --help         this text\n"
	"  --version          print the version\n"
	"\n"
	"Exit status:\n"
	"  0       the guest powered off or rebooted\n"
	"  1-123   reserved for the status of a command run in the guest; 1 also: a KTAP\n"
	"          test failed, or the guest kernel reported a bug (see --klog-ignore)\n"
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
	OPT_JSON,
	OPT_TIMEOUT,
	OPT_KASLR,
	OPT_HUGEPAGES,
	OPT_SEED,
	OPT_JITTER,
	OPT_CPU_CHURN,
	OPT_IRQ_CHURN,
	OPT_STRESS,
	OPT_TRACE,
	OPT_TRACE_FILE,
	OPT_CONTROL,
	OPT_AT,
	OPT_KERNEL_PACKAGE,
	OPT_KLOG_IGNORE,
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
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "modules", required_argument, NULL, OPT_MODULES },
	{ "share", required_argument, NULL, OPT_SHARE },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "kaslr", no_argument, NULL, OPT_KASLR },
	{ "hugepages", no_argument, NULL, OPT_HUGEPAGES },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "jitter", required_argument, NULL, OPT_JITTER },
	{ "cpu-churn", required_argument, NULL, OPT_CPU_CHURN },
	{ "irq-churn", required_argument, NULL, OPT_IRQ_CHURN },
	{ "stress", no_argument, NULL, OPT_STRESS },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "trace-file", required_argument, NULL, OPT_TRACE_FILE },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "at", required_argument, NULL, OPT_AT },
	{ "kernel-package", required_argument, NULL, OPT_KERNEL_PACKAGE },
	{ "klog-ignore", required_argument, NULL, OPT_KLOG_IGNORE },
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

/* "BDF" or "BDF,irq=MODE". */
static int parse_assign(const char *arg, struct pci_bdf *bdf, enum config_irq *irq, char *err, size_t errlen)
{
	static const char *const modes[] = {
		[CONFIG_IRQ_AUTO] = "auto", [CONFIG_IRQ_INTX] = "intx", [CONFIG_IRQ_MSI] = "msi", [CONFIG_IRQ_MSIX] = "msix",
	};
	const char *comma = strchr(arg, ',');
	char addr[64];

	*irq = CONFIG_IRQ_AUTO;
	snprintf(addr, sizeof(addr), "%.*s", comma ? (int)(comma - arg) : (int)strlen(arg), arg);
	if ((comma && (size_t)(comma - arg) >= sizeof(addr)) || pci_bdf_parse(addr, bdf))
		return fail(err, errlen,
			    "--assign '%s' is not a PCI address: write DDDD:BB:DD.F or BB:DD.F as in lspci -D, e.g. 0000:03:00.0",
			    addr);
	if (!comma)
		return 0;
	if (strncmp(comma + 1, "irq=", 4))
		return fail(err, errlen, "--assign %s: unknown setting '%s': the only one is irq=intx|msi|msix", addr,
			    comma + 1);
	for (unsigned int m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		if (!strcmp(comma + 5, modes[m])) {
			*irq = m;
			return 0;
		}
	}
	return fail(err, errlen, "--assign %s: irq=%s is not an interrupt mode: use irq=intx, irq=msi or irq=msix",
		    addr, comma + 5);
}

int config_parse_duration(const char *s, uint64_t *us)
{
	static const struct {
		const char *suffix;
		uint64_t us;
	} units[] = { { "", 1000 }, { "us", 1 }, { "ms", 1000 }, { "s", 1000000 }, { "m", 60000000 } };
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].suffix)) {
			if (v > UINT64_MAX / units[i].us)
				return -EINVAL;
			*us = v * units[i].us;
			return 0;
		}
	}
	return -EINVAL;
}

/* --jitter RATE[,MAX][,spin] */
static int parse_jitter(struct config *cfg, const char *arg, char *err, size_t errlen)
{
	char buf[64], *save, *tok;
	uint64_t us;
	unsigned int n = 0;

	if (strlen(arg) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", arg);
	cfg->jitter_max_us = JITTER_DEFAULT_MAX;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++) {
		if (n == 0) {
			if (parse_uint(tok, 1, 100000, &cfg->jitter_rate))
				goto bad;
		} else if (!strcmp(tok, "spin")) {
			cfg->jitter_spin = true;
		} else if (!strcmp(tok, "sleep")) {
			cfg->jitter_spin = false;
		} else if (!config_parse_duration(tok, &us) && us >= 1 && us <= 1000000) {
			cfg->jitter_max_us = us;
		} else {
			goto bad;
		}
	}
	if (n)
		return 0;
bad:
	return fail(err, errlen,
		    "--jitter '%s' is not RATE[,MAX][,spin]: kicks per second (1-100000), the longest hold (1us-1s), e.g. --jitter 200,5ms,spin",
		    arg);
}

/* --cpu-churn / --irq-churn INTERVAL, 10 ms to 1 h. */
static int parse_interval(const char *opt, const char *arg, unsigned int *ms, char *err, size_t errlen)
{
	uint64_t us;

	if (config_parse_duration(arg, &us) || us < 10000 || us > 3600000000ULL)
		return fail(err, errlen, "%s '%s' is not an interval from 10ms to 1h: give e.g. %s 500ms", opt, arg,
			    opt);
	*ms = us / 1000;
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
	bool stress = false;
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
		c = getopt_long(argc, argv, "+:vqh", options, NULL);
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
		case OPT_JSON: cfg->json = optarg; break;
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
			if (parse_assign(optarg, &cfg->assign[cfg->nassign], &cfg->assign_irq[cfg->nassign], err,
					 errlen))
				return -EINVAL;
			for (unsigned int i = 0; i < cfg->nassign; i++)
				if (pci_bdf_equal(&cfg->assign[i], &cfg->assign[cfg->nassign]))
					return fail(err, errlen,
						    "--assign '%s' given twice: assign each device once",
						    optarg);
			cfg->nassign++;
			break;
		case OPT_NO_REBIND: cfg->no_rebind = true; break;
		case OPT_KASLR: cfg->kaslr = true; break;
		case OPT_HUGEPAGES: cfg->hugepages = true; break;
		case OPT_SEED: {
			char *end;

			errno = 0;
			cfg->seed = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end || *optarg == '-')
				return fail(err, errlen, "--seed '%s' is not a number: give e.g. --seed 42", optarg);
			cfg->seed_given = true;
			break;
		}
		case OPT_JITTER:
			if (parse_jitter(cfg, optarg, err, errlen))
				return -EINVAL;
			break;
		case OPT_CPU_CHURN:
			if (parse_interval("--cpu-churn", optarg, &cfg->cpu_churn_ms, err, errlen))
				return -EINVAL;
			break;
		case OPT_IRQ_CHURN:
			if (parse_interval("--irq-churn", optarg, &cfg->irq_churn_ms, err, errlen))
				return -EINVAL;
			break;
		case OPT_STRESS: stress = true; break;
		case OPT_TRACE:
			if (cfg->ntrace == TRACE_MAX_RANGES)
				return fail(err, errlen, "too many --trace: at most %d ranges", TRACE_MAX_RANGES);
			if (trace_spec_parse(optarg, &cfg->trace[cfg->ntrace], err, errlen))
				return -EINVAL;
			cfg->ntrace++;
			break;
		case OPT_TRACE_FILE: cfg->trace_file = optarg; break;
		case OPT_CONTROL: cfg->control = optarg; break;
		case OPT_KLOG_IGNORE:
			if (!*optarg)
				return fail(err, errlen,
					    "--klog-ignore '' matches no report: give a shell glob for a report's title or first line, e.g. --klog-ignore 'WARNING in foo_*'");
			if (cfg->nklog_ignore == CONFIG_MAX_KLOG_IGNORE)
				return fail(err, errlen, "too many --klog-ignore: at most %d; join some into one glob",
					    CONFIG_MAX_KLOG_IGNORE);
			cfg->klog_ignore[cfg->nklog_ignore++] = optarg;
			break;
		case OPT_AT:
			if (cfg->nat == CONFIG_MAX_AT)
				return fail(err, errlen, "too many --at: at most %d; drop some, or send the rest through --control", CONFIG_MAX_AT);
			cfg->at[cfg->nat++] = optarg;
			break;
		case OPT_KERNEL_PACKAGE: {
			unsigned int files = 1;

			for (const char *c = optarg; *c; c++)
				files += *c == ',';
			if (!*optarg || *optarg == ',' || optarg[strlen(optarg) - 1] == ',' || strstr(optarg, ",,"))
				return fail(err, errlen,
					    "--kernel-package '%s' has an empty file name: give FILE or FILE,FILE (no blanks)",
					    optarg);
			for (unsigned int i = 0; i < cfg->nkernel_packages; i++)
				for (const char *c = cfg->kernel_packages[i]; *c; c++)
					files += *c == ',';
			if (files + cfg->nkernel_packages > CONFIG_MAX_KERNEL_PACKAGES)
				return fail(err, errlen, "too many --kernel-package files: at most %d",
					    CONFIG_MAX_KERNEL_PACKAGES);
			cfg->kernel_packages[cfg->nkernel_packages++] = optarg;
			break;
		}
		case OPT_STATS: cfg->stats = true; break;
		case 'v': cfg->verbosity++; break;
		case 'q': cfg->quiet = true; break;
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
	/* --stress: every stressor that was not set on its own, at its default. */
	if (stress) {
		if (!cfg->jitter_rate) {
			cfg->jitter_rate = JITTER_DEFAULT_RATE;
			cfg->jitter_max_us = JITTER_DEFAULT_MAX;
		}
		if (!cfg->cpu_churn_ms)
			cfg->cpu_churn_ms = CPU_CHURN_DEFAULT_MS;
		if (!cfg->irq_churn_ms)
			cfg->irq_churn_ms = IRQ_CHURN_DEFAULT_MS;
	}
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
	if (cfg->nkernel_packages && (cfg->kernel || cfg->modules || cfg->initrd))
		return fail(err, errlen,
			    "--kernel-package brings the kernel and its modules: drop --%s (or boot an unpacked kernel with --kernel and --modules)",
			    cfg->kernel ? "kernel" : cfg->modules ? "modules" : "initrd");
	if (cfg->quiet && cfg->verbosity)
		return fail(err, errlen, "--quiet and -v contradict each other: give one of them");
	if (cfg->modules && !cfg->kernel)
		return fail(err, errlen, "--modules needs --kernel: it is the modules tree of that kernel");
	if (cfg->mem < CONFIG_MIN_MEM)
		return fail(err, errlen, "--mem %" PRIu64 "M is too small: give at least %lluM",
			    cfg->mem >> 20, CONFIG_MIN_MEM >> 20);
	if (cfg->mem > arch_layout.ram_max)
		return fail(err, errlen, "--mem %" PRIu64 "M is too large: at most %lluG fits below the 64-bit PCI window",
			    cfg->mem >> 20, (unsigned long long)(arch_layout.ram_max >> 30));
	if (cfg->mem & 0xfff)
		return fail(err, errlen, "--mem %" PRIu64 " bytes is not a whole number of 4K pages: round it, e.g. --mem 512M",
			    cfg->mem);
	if (cfg->hugepages && cfg->mem % (2ULL << 20))
		return fail(err, errlen, "--hugepages needs --mem in whole 2 MiB pages: use e.g. --mem %" PRIu64 "M",
			    (cfg->mem + (2ULL << 20) - 1) >> 21 << 1);
	if (strlen(cfg->cmdline) >= arch_layout.cmdline_max)
		return fail(err, errlen, "--cmdline is %zu bytes: at most %zu fit", strlen(cfg->cmdline),
			    arch_layout.cmdline_max - 1);
	return 0;
}

enum log_level config_log_level(const struct config *cfg)
{
	if (cfg->quiet)
		return LOG_ERROR;
	if (cfg->verbosity >= 2)
		return LOG_DEBUG;
	return cfg->verbosity ? LOG_INFO : LOG_NOTICE;
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
