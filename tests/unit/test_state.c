// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for src/vfio/state.c (the state file of an assigned function:
 * format, parse, validation, bad and truncated files) and the pure parts
 * of src/vfio/claim.c (state file names, the leftover verdict).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "minivmm/vfio/claim.h"
#include "minivmm/vfio/state.h"

#define BOOT "8c1e4a9e-05b2-4cb1-9f0e-2d3c4b5a6f70"
#define OTHER_BOOT "0d8b1f3a-7c6e-4e2d-8a9b-1c2d3e4f5a6b"

static const struct dev_state sample = {
	.bdf = "0000:03:00.0", .driver = "e1000e", .override = "", .pid = 4321,
	.starttime = 1234567, .boot_id = BOOT,
};

static const char sample_text[] = "minivmm-state=1\n"
				  "bdf=0000:03:00.0\n"
				  "driver=e1000e\n"
				  "override=\n"
				  "pid=4321\n"
				  "starttime=1234567\n"
				  "boot_id=" BOOT "\n";

static char err[256];

static void assert_state_equal(const struct dev_state *a, const struct dev_state *b)
{
	assert_string_equal(a->bdf, b->bdf);
	assert_string_equal(a->driver, b->driver);
	assert_string_equal(a->override, b->override);
	assert_int_equal(a->pid, b->pid);
	assert_true(a->starttime == b->starttime);
	assert_string_equal(a->boot_id, b->boot_id);
}

static int parse_str(const char *text, struct dev_state *st)
{
	return dev_state_parse(text, strlen(text), st, err, sizeof(err));
}

/* @text must be refused with a reason containing @why. */
static void expect_bad(const char *text, const char *why)
{
	struct dev_state st;

	err[0] = 0;
	if (parse_str(text, &st) != -EINVAL || !strstr(err, why)) {
		print_error("text:\n%s\nerror: '%s', expected '%s'\n", text, err, why);
		fail();
	}
}

/* sample_text with line @key=... replaced by @line (NULL: dropped). */
static const char *with_line(const char *key, const char *line)
{
	static char out[1024];
	const char *p = sample_text;
	size_t o = 0, kl = strlen(key);

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = (size_t)(nl - p) + 1;

		if (!strncmp(p, key, kl) && p[kl] == '=') {
			if (line)
				o += (size_t)snprintf(out + o, sizeof(out) - o, "%s\n", line);
		} else {
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = 0;
	return out;
}

static void test_format(void **state)
{
	char buf[DEV_STATE_MAX];
	struct dev_state st = sample;
	int n;

	(void)state;
	n = dev_state_format(&st, buf, sizeof(buf));
	assert_int_equal(n, strlen(sample_text));
	assert_string_equal(buf, sample_text);
	/* A function that had no driver, with an override someone had set. */
	st.driver[0] = 0;
	snprintf(st.override, sizeof(st.override), "pci-stub");
	n = dev_state_format(&st, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "\ndriver=\noverride=pci-stub\n"));
	/* Too small a buffer. */
	assert_int_equal(dev_state_format(&sample, buf, 20), -ENOSPC);
	/* Fields that would not parse back are refused. */
	st = sample;
	snprintf(st.driver, sizeof(st.driver), "e1000e\nboot_id=x");
	assert_int_equal(dev_state_format(&st, buf, sizeof(buf)), -EINVAL);
	st = sample;
	snprintf(st.bdf, sizeof(st.bdf), "03:00.0");
	assert_int_equal(dev_state_format(&st, buf, sizeof(buf)), -EINVAL);
	st = sample;
	st.pid = 0;
	assert_int_equal(dev_state_format(&st, buf, sizeof(buf)), -EINVAL);
	st = sample;
	st.boot_id[0] = 0;
	assert_int_equal(dev_state_format(&st, buf, sizeof(buf)), -EINVAL);
}

static void test_round_trip(void **state)
{
	struct dev_state in = sample, out;
	char buf[DEV_STATE_MAX];
	int n;

	(void)state;
	assert_int_equal(parse_str(sample_text, &out), 0);
	assert_state_equal(&out, &sample);
	/* Extremes of every field. */
	snprintf(in.bdf, sizeof(in.bdf), "ffff:ff:1f.7");
	memset(in.driver, 'd', HOST_DRIVER_MAX - 1);
	in.driver[HOST_DRIVER_MAX - 1] = 0;
	snprintf(in.override, sizeof(in.override), "a_b.c:d+e-f");
	in.pid = DEV_STATE_PID_MAX;
	in.starttime = ~0ULL;
	n = dev_state_format(&in, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(dev_state_parse(buf, (size_t)n, &out, err, sizeof(err)), 0);
	assert_state_equal(&out, &in);
	in.starttime = 0;
	in.pid = 1;
	n = dev_state_format(&in, buf, sizeof(buf));
	assert_int_equal(dev_state_parse(buf, (size_t)n, &out, err, sizeof(err)), 0);
	assert_state_equal(&out, &in);
	/* Keys in another order are fine (the magic stays first). */
	assert_int_equal(parse_str("minivmm-state=1\nboot_id=" BOOT "\npid=4321\nstarttime=1234567\n"
				   "override=\ndriver=e1000e\nbdf=0000:03:00.0\n", &out), 0);
	assert_state_equal(&out, &sample);
}

static void test_truncated(void **state)
{
	char text[sizeof(sample_text)];

	(void)state;
	expect_bad("", "empty");
	/* Every proper prefix is refused: a torn write cannot pass for a record. */
	for (size_t n = 1; n < strlen(sample_text); n++) {
		struct dev_state st;

		memcpy(text, sample_text, n);
		assert_int_equal(dev_state_parse(text, n, &st, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "truncated"));
	}
	expect_bad("minivmm-state=1\nbdf=0000:03:00.0\n", "truncated (no driver=)");
	expect_bad(with_line("boot_id", NULL), "truncated (no boot_id=)");
	expect_bad(with_line("pid", NULL), "truncated (no pid=)");
	expect_bad("minivmm-state=1\nbdf=0000:03:00.0", "line 2: truncated (no end of line)");
}

static void test_bad_files(void **state)
{
	struct dev_state st;
	char big[DEV_STATE_MAX + 2];

	(void)state;
	expect_bad("hello\n", "line 1: not key=value");
	expect_bad("bdf=0000:03:00.0\n", "line 1: not a minivmm state file");
	expect_bad(with_line("minivmm-state", "minivmm-state=2"), "line 1: version not known");
	expect_bad(with_line("minivmm-state", "minivmm-state=x"), "line 1: not a version number");
	expect_bad(with_line("bdf", "bdf=03:00.0"), "bdf is not a PCI address");
	expect_bad(with_line("bdf", "bdf=0000:03:00.8"), "bdf is not a PCI address");
	expect_bad(with_line("bdf", "bdf=0000:0A:00.0"), "bdf is not a PCI address");
	expect_bad(with_line("driver", "driver=e1000e "), "driver is not a driver name");
	expect_bad(with_line("driver", "driver=../../x"), "driver is not a driver name");
	expect_bad(with_line("override", "override=a b"), "override is not a driver name");
	expect_bad(with_line("pid", "pid=0"), "pid is not a process id");
	expect_bad(with_line("pid", "pid=-1"), "pid is not a process id");
	expect_bad(with_line("pid", "pid=04321"), "pid is not a process id");
	expect_bad(with_line("pid", "pid=4194305"), "pid is not a process id");
	expect_bad(with_line("pid", "pid=99999999999999999999999"), "pid is not a process id");
	expect_bad(with_line("starttime", "starttime=18446744073709551616"), "starttime is not a number");
	expect_bad(with_line("starttime", "starttime="), "starttime is not a number");
	expect_bad(with_line("boot_id", "boot_id=8C1E4A9E-05B2-4CB1-9F0E-2D3C4B5A6F70"), "boot_id is not a boot id");
	expect_bad(with_line("boot_id", "boot_id=8c1e4a9e05b24cb19f0e2d3c4b5a6f70"), "boot_id is not a boot id");
	expect_bad(with_line("driver", "colour=blue"), "unknown key");
	expect_bad(with_line("driver", "driver=e1000e\ndriver=igb"), "line 4: key given twice");
	/* CRLF line ends: the CR is part of the value. */
	expect_bad("minivmm-state=1\r\n", "line 1: not a version number");
	/* Binary junk and oversize files. */
	assert_int_equal(dev_state_parse("minivmm-state=1\n\0x\n", 19, &st, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
	memset(big, 'a', sizeof(big));
	assert_int_equal(dev_state_parse(big, sizeof(big), &st, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too long"));
	/* A refused file leaves nothing half-filled behind. */
	assert_int_equal(parse_str(with_line("boot_id", "boot_id=x"), &st), -EINVAL);
	assert_int_equal(st.pid, 0);
	assert_string_equal(st.bdf, "");
}

static void test_names(void **state)
{
	char bdf[PCI_BDF_STRLEN], path[256];

	(void)state;
	assert_true(dev_state_name_valid("vfio-pci"));
	assert_true(dev_state_name_valid("snd_hda_intel"));
	assert_false(dev_state_name_valid(""));
	assert_false(dev_state_name_valid("a/b"));
	assert_false(dev_state_name_valid("a\nb"));

	claim_path("/run/minivmm", "0000:03:00.0", path, sizeof(path));
	assert_string_equal(path, "/run/minivmm/0000:03:00.0.state");
	assert_true(claim_name_bdf("0000:03:00.0.state", bdf));
	assert_string_equal(bdf, "0000:03:00.0");
	/* Only canonical names: temporary files, short forms and others are not state files. */
	assert_false(claim_name_bdf(".0000:03:00.0.123.tmp", bdf));
	assert_false(claim_name_bdf("03:00.0.state", bdf));
	assert_false(claim_name_bdf("0000:03:00.0.State", bdf));
	assert_false(claim_name_bdf("0000:0A:00.0.state", bdf));
	assert_false(claim_name_bdf(".state", bdf));
	assert_false(claim_name_bdf("0000:03:00.0", bdf));
	assert_false(claim_name_bdf("x0000:03:00.0.state", bdf));
}

static void test_judge(void **state)
{
	(void)state;
	/* The owner runs: same pid and start time. */
	assert_int_equal(claim_judge(&sample, BOOT, true, sample.starttime), CLAIM_LIVE);
	/* The pid belongs to another process now. */
	assert_int_equal(claim_judge(&sample, BOOT, true, sample.starttime + 1), CLAIM_LEFTOVER);
	/* No such process. */
	assert_int_equal(claim_judge(&sample, BOOT, false, 0), CLAIM_LEFTOVER);
	/* Another boot: nothing of it is true any more, whatever runs now. */
	assert_int_equal(claim_judge(&sample, OTHER_BOOT, true, sample.starttime), CLAIM_STALE);
	assert_int_equal(claim_judge(&sample, OTHER_BOOT, false, 0), CLAIM_STALE);
}

/* claim_pid_starttime() and claim_owner_self() read the real /proc. */
static void test_owner_self(void **state)
{
	struct dev_state st = { 0 };
	unsigned long long start;

	(void)state;
	assert_int_equal(claim_owner_self(&st), 0);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(claim_pid_starttime(getpid(), &start), 0);
	assert_true(start == st.starttime);
	assert_int_equal(strlen(st.boot_id), DEV_STATE_BOOT_ID_LEN);
	/* It formats: /proc's boot id is what the parser accepts. */
	snprintf(st.bdf, sizeof(st.bdf), "0000:03:00.0");
	{
		char buf[DEV_STATE_MAX];

		assert_true(dev_state_format(&st, buf, sizeof(buf)) > 0);
	}
	assert_int_equal(claim_judge_now(&st), CLAIM_LIVE);
	st.starttime++;
	assert_int_equal(claim_judge_now(&st), CLAIM_LEFTOVER);
	assert_int_equal(claim_pid_starttime(DEV_STATE_PID_MAX + 1, &start), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_owner_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
