// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests for src/config.c: command-line parsing and sizes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/config.h"
#include "minivmm/x86/layout.h"

#define MAXARGS 64

/* Parse a NULL-terminated argument list (argv[0] is supplied). */
static int parse_v(struct config *cfg, char *err, size_t errlen, va_list ap)
{
	char *argv[MAXARGS + 1];
	int argc = 0;
	const char *a;

	argv[argc++] = "minivmm";
	while ((a = va_arg(ap, const char *)) != NULL) {
		assert_true(argc < MAXARGS);
		argv[argc++] = (char *)a;
	}
	argv[argc] = NULL;
	return config_parse(cfg, argc, argv, err, errlen);
}

static char err[512];

static int parse(struct config *cfg, ...)
{
	va_list ap;
	int ret;

	va_start(ap, cfg);
	memset(err, 'X', sizeof(err)); /* must be overwritten */
	ret = parse_v(cfg, err, sizeof(err), ap);
	va_end(ap);
	return ret;
}

/* An error: -EINVAL, one line of text that mentions @needle. */
static void assert_error_mentions(int ret, const char *needle)
{
	assert_int_equal(ret, -EINVAL);
	assert_true(memchr(err, 0, sizeof(err)) != NULL);
	assert_true(strlen(err) > 0);
	if (strchr(err, '\n'))
		fail_msg("error text has a newline: \"%s\"", err);
	for (const char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20)
			fail_msg("error text has control character 0x%02x: \"%s\"", *p, err);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

/* ---- defaults ---- */

static void test_defaults_with_only_kernel(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel", "bz", NULL), 0);
	assert_string_equal(cfg.kernel, "bz");
	assert_int_equal(cfg.cpus, 1);
	assert_int_equal(cfg.mem, 512ULL << 20);
	assert_string_equal(cfg.cmdline, "console=ttyS0");
	assert_null(cfg.initrd);
	assert_null(cfg.console);
	assert_int_equal(cfg.nassign, 0);
	assert_false(cfg.stats);
	assert_false(cfg.help);
	assert_false(cfg.version);
	assert_false(cfg.no_rebind);
	assert_false(cfg.kaslr);
	assert_int_equal(cfg.verbosity, 0);
	assert_string_equal(err, "");
}

static void test_all_options_are_stored(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel", "k", "--initrd", "i", "--cmdline", "quiet",
			       "--console", "log.txt", "--cpus", "4", "--mem", "2G", "--stats",
			       "--no-rebind", "--kaslr", "-v", "--verbose", "-v", NULL),
			 0);
	assert_string_equal(cfg.kernel, "k");
	assert_string_equal(cfg.initrd, "i");
	assert_string_equal(cfg.cmdline, "quiet");
	assert_string_equal(cfg.console, "log.txt");
	assert_int_equal(cfg.cpus, 4);
	assert_int_equal(cfg.mem, 2ULL << 30);
	assert_true(cfg.stats);
	assert_true(cfg.no_rebind);
	assert_true(cfg.kaslr);
	assert_int_equal(cfg.verbosity, 3);
}

static void test_option_equals_form(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel=bz", "--cpus=8", "--mem=1G", NULL), 0);
	assert_string_equal(cfg.kernel, "bz");
	assert_int_equal(cfg.cpus, 8);
	assert_int_equal(cfg.mem, 1ULL << 30);
}

static void test_later_option_wins(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel", "a", "--cpus", "2", "--kernel", "b", "--cpus", "3",
			       NULL),
			 0);
	assert_string_equal(cfg.kernel, "b");
	assert_int_equal(cfg.cpus, 3);
}

/* ---- --cpus ---- */

static void test_cpus_valid_range(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel", "k", "--cpus", "1", NULL), 0);
	assert_int_equal(cfg.cpus, 1);
	assert_int_equal(parse(&cfg, "--kernel", "k", "--cpus", "4096", NULL), 0);
	assert_int_equal(cfg.cpus, 4096);
	assert_int_equal(parse(&cfg, "--kernel", "k", "--cpus", "64", NULL), 0);
	assert_int_equal(cfg.cpus, 64);
}

static void test_cpus_bad_values_rejected(void **state)
{
	static const char *const bad[] = { "0", "4097", "4x", "-1", "", "x", "1.5", "99999999999999999999",
					   "4 " };
	struct config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = parse(&cfg, "--kernel", "k", "--cpus", bad[i], NULL);

		if (ret != -EINVAL)
			fail_msg("--cpus '%s' accepted", bad[i]);
		assert_error_mentions(ret, "--cpus");
		/* The message quotes what the user wrote. */
		char quoted[64];

		snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
		assert_non_null(strstr(err, quoted));
	}
}

/* ---- --mem ---- */

static void test_mem_suffixes(void **state)
{
	static const struct {
		const char *arg;
		uint64_t bytes;
	} cases[] = {
		{ "512M", 512ULL << 20 },  { "512m", 512ULL << 20 },   { "512Mi", 512ULL << 20 },
		{ "4G", 4ULL << 30 },      { "4g", 4ULL << 30 },       { "4Gi", 4ULL << 30 },
		{ "65536K", 64ULL << 20 }, { "65536Ki", 64ULL << 20 }, { "1024", 1ULL << 30 },
		{ "64", 64ULL << 20 },     { "1073741824B", 1ULL << 30 },
	};
	struct config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = parse(&cfg, "--kernel", "k", "--mem", cases[i].arg, NULL);

		if (ret)
			fail_msg("--mem %s refused: %s", cases[i].arg, err);
		if (cfg.mem != cases[i].bytes)
			fail_msg("--mem %s gave %llu bytes, expected %llu", cases[i].arg,
				 (unsigned long long)cfg.mem, (unsigned long long)cases[i].bytes);
	}
}

static void test_mem_not_a_size(void **state)
{
	static const char *const bad[] = { "", "-1", "-512M", "4x", "M", "512T", "512MB", "512Bi",
					   "1.5G", "0x100", "99999999999999999999999" };
	struct config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = parse(&cfg, "--kernel", "k", "--mem", bad[i], NULL);

		if (ret != -EINVAL)
			fail_msg("--mem '%s' accepted (%llu bytes)", bad[i], (unsigned long long)cfg.mem);
		assert_error_mentions(ret, "--mem");
	}
}

static void test_mem_too_small(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--mem", "0", NULL), "--mem");
	assert_non_null(strstr(err, "too small"));
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--mem", "31M", NULL), "too small");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--mem", "32764K", NULL), "too small");
	/* The minimum itself is fine. */
	assert_int_equal(parse(&cfg, "--kernel", "k", "--mem", "32M", NULL), 0);
	assert_int_equal(cfg.mem, CONFIG_MIN_MEM);
}

static void test_mem_too_large(void **state)
{
	struct config cfg;
	char arg[64];

	(void)state;
	/* LAYOUT_RAM_MAX = 256G - 1G (the hole moves RAM up). */
	snprintf(arg, sizeof(arg), "%lluG", LAYOUT_RAM_MAX >> 30);
	assert_int_equal(parse(&cfg, "--kernel", "k", "--mem", arg, NULL), 0);
	assert_int_equal(cfg.mem, LAYOUT_RAM_MAX);

	snprintf(arg, sizeof(arg), "%lluK", (LAYOUT_RAM_MAX >> 10) + 4);
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--mem", arg, NULL), "too large");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--mem", "1024G", NULL), "--mem");
	/* Largest value the size parser accepts, far beyond RAM_MAX. */
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--mem", "17179869183G", NULL), "too large");
}

static void test_mem_not_page_multiple(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--mem", "33554433B", NULL), "4K pages");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--mem", "65537K", NULL), "--mem");
	assert_int_equal(parse(&cfg, "--kernel", "k", "--mem", "65540K", NULL), 0);
	assert_int_equal(cfg.mem, 65540ULL << 10);
}

static void test_hugepages_whole_pages(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel", "k", "--hugepages", "--mem", "64M", NULL), 0);
	assert_true(cfg.hugepages);
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--hugepages", "--mem", "65540K", NULL),
			      "--hugepages");
	assert_non_null(strstr(err, "--mem 66M"));
	/* Without --hugepages the same size is fine. */
	assert_int_equal(parse(&cfg, "--kernel", "k", "--mem", "65540K", NULL), 0);
	assert_false(cfg.hugepages);
}

/* ---- SMP stress ---- */

static void test_duration(void **state)
{
	uint64_t us;

	(void)state;
	assert_int_equal(config_parse_duration("1500us", &us), 0);
	assert_int_equal(us, 1500);
	assert_int_equal(config_parse_duration("20ms", &us), 0);
	assert_int_equal(us, 20000);
	assert_int_equal(config_parse_duration("2s", &us), 0);
	assert_int_equal(us, 2000000);
	assert_int_equal(config_parse_duration("1m", &us), 0);
	assert_int_equal(us, 60000000);
	assert_int_equal(config_parse_duration("250", &us), 0);
	assert_int_equal(us, 250000);
	assert_int_equal(config_parse_duration("5h", &us), -EINVAL);
	assert_int_equal(config_parse_duration("-5s", &us), -EINVAL);
	assert_int_equal(config_parse_duration("s", &us), -EINVAL);
	assert_int_equal(config_parse_duration("18446744073709551615m", &us), -EINVAL);
}

static void test_stress_options(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel", "k", NULL), 0);
	assert_false(cfg.seed_given);
	assert_int_equal(cfg.jitter_rate, 0);
	assert_int_equal(cfg.cpu_churn_ms, 0);
	assert_int_equal(parse(&cfg, "--kernel", "k", "--seed", "0x10", "--jitter", "200,5ms,spin", "--cpu-churn",
			       "750ms", "--irq-churn", "2s", NULL),
			 0);
	assert_true(cfg.seed_given);
	assert_int_equal(cfg.seed, 16);
	assert_int_equal(cfg.jitter_rate, 200);
	assert_int_equal(cfg.jitter_max_us, 5000);
	assert_true(cfg.jitter_spin);
	assert_int_equal(cfg.cpu_churn_ms, 750);
	assert_int_equal(cfg.irq_churn_ms, 2000);
	/* --jitter RATE alone: the default longest hold, asleep. */
	assert_int_equal(parse(&cfg, "--kernel", "k", "--jitter", "50", NULL), 0);
	assert_int_equal(cfg.jitter_rate, 50);
	assert_int_equal(cfg.jitter_max_us, 10000);
	assert_false(cfg.jitter_spin);
	/* --stress: defaults for what was not given. */
	assert_int_equal(parse(&cfg, "--kernel", "k", "--stress", "--cpu-churn", "100ms", NULL), 0);
	assert_int_equal(cfg.jitter_rate, 100);
	assert_int_equal(cfg.cpu_churn_ms, 100);
	assert_int_equal(cfg.irq_churn_ms, 500);
	/* Bad values name the option and the fix. */
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--seed", "x", NULL), "--seed");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--seed", "-1", NULL), "--seed");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--jitter", "0", NULL), "--jitter");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--jitter", "10,2s", NULL), "RATE[,MAX][,spin]");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--jitter", "10,5ms,fast", NULL), "--jitter");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--cpu-churn", "5ms", NULL), "--cpu-churn");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--irq-churn", "soon", NULL), "--irq-churn 500ms");
}

/* ---- --assign ---- */

static void test_assign_both_forms_and_repeat(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel", "k", "--assign", "0000:03:00.0", "--assign", "04:1f.7",
			       "--assign", "0001:03:00.0", NULL),
			 0);
	assert_int_equal(cfg.nassign, 3);
	assert_int_equal(cfg.assign[0].seg, 0);
	assert_int_equal(cfg.assign[0].bus, 3);
	assert_int_equal(cfg.assign[0].dev, 0);
	assert_int_equal(cfg.assign[0].fn, 0);
	assert_int_equal(cfg.assign[1].seg, 0);
	assert_int_equal(cfg.assign[1].bus, 4);
	assert_int_equal(cfg.assign[1].dev, 0x1f);
	assert_int_equal(cfg.assign[1].fn, 7);
	assert_int_equal(cfg.assign[2].seg, 1);
	assert_int_equal(cfg.assign[2].bus, 3);
}

static void test_assign_irq_mode(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel", "k", "--assign", "03:00.0,irq=intx", "--assign", "04:00.0",
			       "--assign", "0000:05:00.0,irq=msi", "--assign", "06:00.0,irq=msix", NULL),
			 0);
	assert_int_equal(cfg.nassign, 4);
	assert_int_equal(cfg.assign[0].bus, 3);
	assert_int_equal(cfg.assign_irq[0], CONFIG_IRQ_INTX);
	assert_int_equal(cfg.assign_irq[1], CONFIG_IRQ_AUTO);
	assert_int_equal(cfg.assign[2].bus, 5);
	assert_int_equal(cfg.assign_irq[2], CONFIG_IRQ_MSI);
	assert_int_equal(cfg.assign_irq[3], CONFIG_IRQ_MSIX);
	/* Bad modes and settings name the fix. */
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--assign", "03:00.0,irq=msi-x", NULL), "irq=msi-x");
	assert_non_null(strstr(err, "irq=intx, irq=msi or irq=msix"));
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--assign", "03:00.0,foo=1", NULL), "foo=1");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--assign", "03:00.0,", NULL), "unknown setting");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--assign", "03:00.x,irq=intx", NULL), "not a PCI address");
	/* The same function twice, with different modes, is still twice. */
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--assign", "03:00.0,irq=intx", "--assign", "03:00.0",
				    NULL), "twice");
}

static void test_assign_duplicate_rejected(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--assign", "03:00.0", "--assign", "03:00.0", NULL),
			      "--assign");
	assert_non_null(strstr(err, "twice"));
	/* Same function written in the two forms and in other case. */
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--assign", "0000:0a:00.1", "--assign", "0A:00.1",
				    NULL),
			      "twice");
}

static void test_assign_bad_address(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--assign", "3:0.0", NULL), "--assign");
	assert_non_null(strstr(err, "'3:0.0'"));
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--assign", "00:20.0", NULL), "--assign");
}

static void test_assign_limit(void **state)
{
	char bdfs[CONFIG_MAX_ASSIGN + 1][PCI_BDF_STRLEN];
	char *argv[3 + 2 * (CONFIG_MAX_ASSIGN + 1) + 1];
	struct config cfg;
	int argc = 0;

	(void)state;
	argv[argc++] = "minivmm";
	argv[argc++] = "--kernel";
	argv[argc++] = "k";
	for (int i = 0; i < CONFIG_MAX_ASSIGN; i++) {
		snprintf(bdfs[i], sizeof(bdfs[i]), "%02x:00.0", i + 1);
		argv[argc++] = "--assign";
		argv[argc++] = bdfs[i];
	}
	argv[argc] = NULL;
	assert_int_equal(config_parse(&cfg, argc, argv, err, sizeof(err)), 0);
	assert_int_equal(cfg.nassign, CONFIG_MAX_ASSIGN);
	assert_int_equal(cfg.assign[CONFIG_MAX_ASSIGN - 1].bus, CONFIG_MAX_ASSIGN);

	snprintf(bdfs[CONFIG_MAX_ASSIGN], sizeof(bdfs[0]), "%02x:00.0", 0x80);
	argv[argc++] = "--assign";
	argv[argc++] = bdfs[CONFIG_MAX_ASSIGN];
	argv[argc] = NULL;
	assert_error_mentions(config_parse(&cfg, argc, argv, err, sizeof(err)), "--assign");
	assert_non_null(strstr(err, "16"));
}

/* ---- structural errors ---- */

static void test_zero_config_without_kernel(void **state)
{
	struct config cfg;

	(void)state;
	/* No --kernel: the host's kernel boots (zero-config). */
	assert_int_equal(parse(&cfg, NULL), 0);
	assert_null(cfg.kernel);
	assert_int_equal(parse(&cfg, "--run", "true", NULL), 0);
	assert_string_equal(cfg.run, "true");
	/* A modules tree belongs to a given kernel. */
	assert_error_mentions(parse(&cfg, "--modules", "/tmp", NULL), "--kernel");
}

static void test_kernel_package(void **state)
{
	struct config cfg;
	char many[256];

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel-package", "a.deb", "--kernel-package", "img.deb,mods.deb",
			       "--run", "true", NULL), 0);
	assert_int_equal(cfg.nkernel_packages, 2);
	assert_string_equal(cfg.kernel_packages[0], "a.deb");
	assert_string_equal(cfg.kernel_packages[1], "img.deb,mods.deb");
	assert_null(cfg.kernel);
	/* The package brings the kernel and its modules. */
	assert_error_mentions(parse(&cfg, "--kernel-package", "a.deb", "--kernel", "bzImage", NULL), "drop --kernel");
	assert_error_mentions(parse(&cfg, "--kernel-package", "a.deb", "--initrd", "i.cpio", NULL), "drop --initrd");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--modules", "/m", "--kernel-package", "a.deb", NULL),
			      "drop --kernel");
	/* Empty names in the list. */
	assert_error_mentions(parse(&cfg, "--kernel-package", "a.deb,", NULL), "empty file name");
	assert_error_mentions(parse(&cfg, "--kernel-package", ",a.deb", NULL), "empty file name");
	assert_error_mentions(parse(&cfg, "--kernel-package", "a.deb,,b.deb", NULL), "empty file name");
	assert_error_mentions(parse(&cfg, "--kernel-package", "", NULL), "empty file name");
	/* At most CONFIG_MAX_KERNEL_PACKAGES files, counted over every option. */
	strcpy(many, "a");
	for (int i = 1; i < CONFIG_MAX_KERNEL_PACKAGES; i++)
		strcat(many, ",a");
	assert_int_equal(parse(&cfg, "--kernel-package", many, NULL), 0);
	assert_error_mentions(parse(&cfg, "--kernel-package", many, "--kernel-package", "b", NULL),
			      "too many --kernel-package");
	many[strlen(many) - 2] = 0;
	assert_int_equal(parse(&cfg, "--kernel-package", many, "--kernel-package", "b", NULL), 0);
	assert_error_mentions(parse(&cfg, "--kernel-package", "b", "--kernel-package", many, "--kernel-package", "c",
				    NULL), "too many --kernel-package");
}

static void test_command_after_double_dash(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--cpus", "2", "--", "echo", "it's", "a b", NULL), 0);
	assert_string_equal(cfg.run, "'echo' 'it'\\''s' 'a b'");
	assert_int_equal(cfg.cpus, 2);
	config_free(&cfg);
	assert_null(cfg.run);
	/* Options after -- belong to the command. */
	assert_int_equal(parse(&cfg, "--", "ls", "--cpus", NULL), 0);
	assert_string_equal(cfg.run, "'ls' '--cpus'");
	assert_int_equal(cfg.cpus, 1);
	config_free(&cfg);
	assert_error_mentions(parse(&cfg, "--run", "x", "--", "y", NULL), "--run");
}

static void test_klog_ignore(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, NULL), 0);
	assert_int_equal(cfg.nklog_ignore, 0);
	/* repeatable, kept in order, as given */
	assert_int_equal(parse(&cfg, "--klog-ignore", "WARNING in foo_*", "--klog-ignore=*hung*", NULL), 0);
	assert_int_equal(cfg.nklog_ignore, 2);
	assert_string_equal(cfg.klog_ignore[0], "WARNING in foo_*");
	assert_string_equal(cfg.klog_ignore[1], "*hung*");
	assert_error_mentions(parse(&cfg, "--klog-ignore", "", NULL), "--klog-ignore '' matches no report");
	assert_error_mentions(parse(&cfg, "--klog-ignore", NULL), "--klog-ignore");
	{
		char *argv[2 * CONFIG_MAX_KLOG_IGNORE + 4];
		char pats[CONFIG_MAX_KLOG_IGNORE + 1][16];
		char why[512];
		int n = 0;

		argv[n++] = "minivmm";
		for (int i = 0; i <= CONFIG_MAX_KLOG_IGNORE; i++) {
			snprintf(pats[i], sizeof(pats[i]), "p%d", i);
			argv[n++] = "--klog-ignore";
			argv[n++] = pats[i];
		}
		argv[n] = NULL;
		assert_int_equal(config_parse(&cfg, n, argv, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, "too many --klog-ignore: at most 32"));
		/* one fewer is fine */
		argv[n - 2] = NULL;
		assert_int_equal(config_parse(&cfg, n - 2, argv, why, sizeof(why)), 0);
		assert_int_equal(cfg.nklog_ignore, CONFIG_MAX_KLOG_IGNORE);
		config_free(&cfg);
	}
}

static void test_timeout(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--timeout", "20", NULL), 0);
	assert_int_equal(cfg.timeout, 20);
	assert_int_equal(parse(&cfg, NULL), 0);
	assert_int_equal(cfg.timeout, 0);
	assert_error_mentions(parse(&cfg, "--timeout", "0", NULL), "--timeout");
	assert_error_mentions(parse(&cfg, "--timeout", "-5", NULL), "--timeout");
	assert_error_mentions(parse(&cfg, "--timeout", "1x", NULL), "--timeout");
	assert_error_mentions(parse(&cfg, "--timeout", "99999999999", NULL), "--timeout");
}

static void test_control_and_at(void **state)
{
	struct config cfg;
	char spec[16];
	char *argv[2 * CONFIG_MAX_AT + 4];
	int argc = 0;

	(void)state;
	assert_int_equal(parse(&cfg, "--control", "/run/x.sock", "--at", "5s:stop", "--at=1500ms:status", NULL), 0);
	assert_string_equal(cfg.control, "/run/x.sock");
	assert_int_equal(cfg.nat, 2);
	assert_string_equal(cfg.at[0], "5s:stop");
	assert_string_equal(cfg.at[1], "1500ms:status");
	assert_int_equal(parse(&cfg, "--kernel", "bz", NULL), 0);
	assert_null(cfg.control);
	assert_int_equal(cfg.nat, 0);
	assert_error_mentions(parse(&cfg, "--control", NULL), "needs a value");
	/* One more than fits. (What an --at says is checked by the control channel.) */
	argv[argc++] = "minivmm";
	snprintf(spec, sizeof(spec), "1s:status");
	for (int i = 0; i <= CONFIG_MAX_AT; i++) {
		argv[argc++] = "--at";
		argv[argc++] = spec;
	}
	argv[argc] = NULL;
	assert_error_mentions(config_parse(&cfg, argc, argv, err, sizeof(err)), "too many --at: at most 32");
}

static void test_shell_join(void **state)
{
	char *const argv[] = { "a", "", "'", "$HOME", NULL };
	char *s;

	(void)state;
	s = config_shell_join(4, argv);
	assert_non_null(s);
	assert_string_equal(s, "'a' '' ''\\''' '$HOME'");
	free(s);
	s = config_shell_join(0, argv);
	assert_string_equal(s, "");
	free(s);
}

static void test_unknown_long_option(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--bogus", NULL), "--bogus");
	assert_non_null(strstr(err, "unknown"));
}

static void test_unknown_short_option(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "k", "-x", NULL), "-x");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "-vq", NULL), "-q");
}

/*
 * "--stats=yes": getopt_long reports a flag given a value as '?' with
 * optopt set to the option's val (OPT_STATS = 264 here), not 0.
 */
static void test_flag_option_given_a_value(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--stats=yes", NULL), "--stats");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--help=1", NULL), "--help");
}

static void test_option_missing_value(void **state)
{
	static const char *const opts[] = { "--kernel", "--initrd", "--cmdline", "--cpus",
					    "--mem",    "--console", "--assign" };
	struct config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		int ret = strcmp(opts[i], "--kernel") ? parse(&cfg, "--kernel", "k", opts[i], NULL)
						      : parse(&cfg, opts[i], NULL);

		assert_error_mentions(ret, opts[i]);
		assert_non_null(strstr(err, "needs a value"));
	}
}

static void test_stray_argument(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "k", "bzImage", NULL), "'bzImage'");
	/* Parsing stops at the first non-option ('+' in optstring). */
	assert_error_mentions(parse(&cfg, "stray", "--kernel", "k", NULL), "'stray'");
}

static void test_help_and_version_need_no_kernel(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--help", NULL), 0);
	assert_true(cfg.help);
	assert_int_equal(parse(&cfg, "-h", NULL), 0);
	assert_true(cfg.help);
	assert_int_equal(parse(&cfg, "--version", NULL), 0);
	assert_true(cfg.version);
	assert_false(cfg.help);
	assert_non_null(strstr(config_usage, "--kernel"));
	assert_non_null(strstr(config_usage, "--assign"));
	assert_non_null(strstr(config_usage, "--kaslr"));
	assert_non_null(strstr(config_usage, "128+N"));
}

static void test_flag_takes_no_value(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--kaslr=yes", NULL), "takes no value");
}

/*
 * An unknown letter inside a cluster ("-zv") is named as such: the parser
 * looked at the argument before the cluster instead, argv[0] here, and
 * read past the end of an empty one (found by tests/fuzz/config_fuzz.c).
 */
static void test_unknown_option_in_cluster(void **state)
{
	char empty[1] = "", prog[] = "--prog", cluster[] = "-zv";
	char *argv_empty[] = { empty, cluster, NULL }, *argv_long[] = { prog, cluster, NULL };
	struct config cfg;

	(void)state;
	assert_error_mentions(config_parse(&cfg, 2, argv_empty, err, sizeof(err)), "unknown option '-z'");
	assert_error_mentions(config_parse(&cfg, 2, argv_long, err, sizeof(err)), "unknown option '-z'");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "-vzv", NULL), "unknown option '-z'");
	assert_error_mentions(parse(&cfg, "--kernel", "k", "-v", "--verbose=2", NULL),
			      "option '--verbose=2' takes no value");
	assert_error_mentions(parse(&cfg, "-vv", "--kernel", NULL), "option '--kernel' needs a value");
}

/* Only a "--" that ends the options starts a guest command: not an option's
 * value, nor argv[0] (found by tests/fuzz/config_fuzz.c). */
static void test_dashdash_only_as_terminator(void **state)
{
	char dashes[] = "--", stray[] = "stray";
	char *argv[] = { dashes, stray, NULL };
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "--", "x", NULL), "unexpected argument 'x'");
	assert_error_mentions(config_parse(&cfg, 2, argv, err, sizeof(err)), "unexpected argument 'stray'");
	assert_int_equal(parse(&cfg, "--kernel", "--", "--", "x", NULL), 0);
	assert_string_equal(cfg.kernel, "--");
	assert_string_equal(cfg.run, "'x'");
	config_free(&cfg);
}

static void test_help_does_not_hide_bad_option_value(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--help", "--cpus", "0", NULL), "--cpus");
}

static void test_cmdline_length_limit(void **state)
{
	struct config cfg;
	char *big = malloc(LAYOUT_CMDLINE_MAX + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'a', LAYOUT_CMDLINE_MAX - 1);
	big[LAYOUT_CMDLINE_MAX - 1] = 0;
	assert_int_equal(parse(&cfg, "--kernel", "k", "--cmdline", big, NULL), 0);
	assert_int_equal(strlen(cfg.cmdline), LAYOUT_CMDLINE_MAX - 1);
	big[LAYOUT_CMDLINE_MAX - 1] = 'a';
	big[LAYOUT_CMDLINE_MAX] = 0;
	assert_error_mentions(parse(&cfg, "--kernel", "k", "--cmdline", big, NULL), "--cmdline");
	free(big);
}

/* ---- --quiet and -v: the log level ---- */

static void test_log_levels(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel", "a", NULL), 0);
	assert_false(cfg.quiet);
	assert_int_equal(config_log_level(&cfg), LOG_NOTICE);
	assert_int_equal(parse(&cfg, "--kernel", "a", "-v", NULL), 0);
	assert_int_equal(config_log_level(&cfg), LOG_INFO);
	assert_int_equal(parse(&cfg, "--kernel", "a", "-v", "--verbose", NULL), 0);
	assert_int_equal(config_log_level(&cfg), LOG_DEBUG);
	assert_int_equal(parse(&cfg, "--kernel", "a", "--quiet", NULL), 0);
	assert_true(cfg.quiet);
	assert_int_equal(config_log_level(&cfg), LOG_ERROR);
	assert_int_equal(parse(&cfg, "-q", "--kernel", "a", NULL), 0);
	assert_int_equal(config_log_level(&cfg), LOG_ERROR);
	/* A quiet run still shows errors; a default run no debug lines. */
	assert_true(LOG_ERROR < LOG_WARN && LOG_WARN < LOG_NOTICE && LOG_NOTICE < LOG_INFO);
}

static void test_quiet_and_verbose_contradict(void **state)
{
	struct config cfg;

	(void)state;
	assert_error_mentions(parse(&cfg, "--kernel", "a", "--quiet", "-v", NULL), "--quiet and -v");
	assert_error_mentions(parse(&cfg, "--kernel", "a", "-v", "-q", NULL), "give one of them");
	assert_error_mentions(parse(&cfg, "--kernel", "a", "--quiet=1", NULL), "takes no value");
}

static void test_parse_twice_resets_state(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "--kernel", "a", "--cpus", "4", "--assign", "01:00.0", "-v", NULL), 0);
	assert_int_equal(cfg.cpus, 4);
	/* A second, different command line sees all its options from the start. */
	assert_int_equal(parse(&cfg, "--cpus", "2", "--kernel", "b", NULL), 0);
	assert_string_equal(cfg.kernel, "b");
	assert_int_equal(cfg.cpus, 2);
	assert_int_equal(cfg.nassign, 0);
	assert_int_equal(cfg.verbosity, 0);
	/* After an error in the middle, too. */
	assert_int_equal(parse(&cfg, "--kernel", "a", "--bogus", "--cpus", "3", NULL), -EINVAL);
	assert_int_equal(parse(&cfg, "--kernel", "c", "--assign", "01:00.0", NULL), 0);
	assert_string_equal(cfg.kernel, "c");
	assert_int_equal(cfg.nassign, 1);
	/* And a short-option cluster interrupted by an error: the leftover
	 * "v" of "-vxv" must not leak into the next parse. */
	assert_int_equal(parse(&cfg, "--kernel", "a", "-vxv", NULL), -EINVAL);
	assert_int_equal(parse(&cfg, "--kernel", "d", NULL), 0);
	assert_string_equal(cfg.kernel, "d");
	assert_int_equal(cfg.verbosity, 0);
}

static void test_error_truncated_to_buffer(void **state)
{
	char *argv[] = { "minivmm", "--cpus", "0", NULL };
	struct config cfg;
	char small[8];

	(void)state;
	memset(small, 'X', sizeof(small));
	assert_int_equal(config_parse(&cfg, 3, argv, small, sizeof(small)), -EINVAL);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* ---- config_parse_size ---- */

static void test_size_units(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(config_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(config_parse_size("1", &v), 0);
	assert_int_equal(v, 1ULL << 20);
	assert_int_equal(config_parse_size("1B", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(config_parse_size("1b", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(config_parse_size("3k", &v), 0);
	assert_int_equal(v, 3072);
	assert_int_equal(config_parse_size("3Ki", &v), 0);
	assert_int_equal(v, 3072);
	assert_int_equal(config_parse_size("2Mi", &v), 0);
	assert_int_equal(v, 2ULL << 20);
	assert_int_equal(config_parse_size("5Gi", &v), 0);
	assert_int_equal(v, 5ULL << 30);
}

static void test_size_rejects_garbage(void **state)
{
	static const char *const bad[] = { "",   "-1", "-0",  "K",   "1KK", "1Kib", "1Bi", "1i",
					   "1T", "1 ", "1.0", "1e3", "0x10", "12ab" };
	uint64_t v = 12345;

	(void)state;
	assert_int_equal(config_parse_size(NULL, &v), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (config_parse_size(bad[i], &v) != -EINVAL)
			fail_msg("size '%s' accepted as %llu", bad[i], (unsigned long long)v);
	assert_int_equal(v, 12345); /* untouched on failure */
}

static void test_size_overflow(void **state)
{
	uint64_t v = 0;

	(void)state;
	/* Largest values per unit that still fit in 64 bits. */
	assert_int_equal(config_parse_size("18446744073709551615B", &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(config_parse_size("17592186044415", &v), 0); /* (2^44 - 1) MiB */
	assert_int_equal(v, (UINT64_MAX >> 20) << 20);
	assert_int_equal(config_parse_size("17179869183G", &v), 0);
	assert_int_equal(v, (UINT64_MAX >> 30) << 30);
	assert_int_equal(config_parse_size("18014398509481983K", &v), 0);
	assert_int_equal(v, (UINT64_MAX >> 10) << 10);
	/* One more overflows. */
	assert_int_equal(config_parse_size("18446744073709551616B", &v), -EINVAL);
	assert_int_equal(config_parse_size("17592186044416", &v), -EINVAL);
	assert_int_equal(config_parse_size("17179869184G", &v), -EINVAL);
	assert_int_equal(config_parse_size("18014398509481984K", &v), -EINVAL);
	assert_int_equal(config_parse_size("99999999999999999999999999G", &v), -EINVAL);
}

/*
 * strtoull() skips leading white space and then accepts a minus sign, so
 * the "*s == '-'" guard is bypassed by " -4096B": a negative size comes
 * back as 2^64 - 4096.
 */
static void test_size_rejects_negative_after_whitespace(void **state)
{
	uint64_t v = 0;
	int ret;

	(void)state;
	ret = config_parse_size(" -4096B", &v);
	if (ret != -EINVAL)
		fail_msg("config_parse_size(\" -4096B\") returned %d, value %llu", ret, (unsigned long long)v);
	assert_int_equal(config_parse_size("\t-1B", &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_with_only_kernel),
		cmocka_unit_test(test_all_options_are_stored),
		cmocka_unit_test(test_option_equals_form),
		cmocka_unit_test(test_later_option_wins),
		cmocka_unit_test(test_cpus_valid_range),
		cmocka_unit_test(test_cpus_bad_values_rejected),
		cmocka_unit_test(test_mem_suffixes),
		cmocka_unit_test(test_mem_not_a_size),
		cmocka_unit_test(test_mem_too_small),
		cmocka_unit_test(test_mem_too_large),
		cmocka_unit_test(test_mem_not_page_multiple),
		cmocka_unit_test(test_hugepages_whole_pages),
		cmocka_unit_test(test_assign_irq_mode),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_stress_options),
		cmocka_unit_test(test_assign_both_forms_and_repeat),
		cmocka_unit_test(test_assign_duplicate_rejected),
		cmocka_unit_test(test_assign_bad_address),
		cmocka_unit_test(test_assign_limit),
		cmocka_unit_test(test_zero_config_without_kernel),
		cmocka_unit_test(test_control_and_at),
		cmocka_unit_test(test_command_after_double_dash),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_klog_ignore),
		cmocka_unit_test(test_kernel_package),
		cmocka_unit_test(test_shell_join),
		cmocka_unit_test(test_unknown_long_option),
		cmocka_unit_test(test_unknown_short_option),
		cmocka_unit_test(test_flag_option_given_a_value),
		cmocka_unit_test(test_option_missing_value),
		cmocka_unit_test(test_stray_argument),
		cmocka_unit_test(test_help_and_version_need_no_kernel),
		cmocka_unit_test(test_flag_takes_no_value),
		cmocka_unit_test(test_unknown_option_in_cluster),
		cmocka_unit_test(test_dashdash_only_as_terminator),
		cmocka_unit_test(test_help_does_not_hide_bad_option_value),
		cmocka_unit_test(test_cmdline_length_limit),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_quiet_and_verbose_contradict),
		cmocka_unit_test(test_parse_twice_resets_state),
		cmocka_unit_test(test_error_truncated_to_buffer),
		cmocka_unit_test(test_size_units),
		cmocka_unit_test(test_size_rejects_garbage),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_size_rejects_negative_after_whitespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
