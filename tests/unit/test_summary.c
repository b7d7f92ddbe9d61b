// SPDX-License-Identifier: GPL-2.0-only
/* The --json run summary: valid JSON with what a farm indexes, from figures given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/config.h"
#include "minivmm/eventlog.h"
#include "minivmm/runner/klog.h"
#include "minivmm/runner/ktap.h"
#include "minivmm/runner/summary.h"

static struct json_val nodes[4096];
static char strs[1 << 16];

/* Parse @text strictly; the root object. */
static const struct json_val *parse(const char *text)
{
	static struct json_doc doc;
	const struct json_val *root;
	struct json_error err;

	json_doc_init(&doc, nodes, 4096, strs, sizeof(strs), 32);
	if (json_parse(&doc, text, strlen(text), &root, &err))
		fail_msg("not JSON at byte %zu: %s\n%s", err.pos, err.msg, text);
	assert_int_equal(root->type, JSON_OBJECT);
	return root;
}

static const char *str_of(const struct json_val *o, const char *key)
{
	const struct json_val *v = json_member(o, key);

	assert_non_null(v);
	assert_int_equal(v->type, JSON_STRING);
	return v->str;
}

static long long int_of(const struct json_val *o, const char *key)
{
	const struct json_val *v = json_member(o, key);

	assert_non_null(v);
	assert_int_equal(v->type, JSON_NUMBER);
	assert_true(v->is_int);
	return v->i;
}

static void test_meaning(void **state)
{
	(void)state;
	assert_string_equal(run_status_meaning(0), "passed");
	assert_string_equal(run_status_meaning(1), "failed");
	assert_string_equal(run_status_meaning(123), "failed");
	assert_string_equal(run_status_meaning(124), "timeout");
	assert_string_equal(run_status_meaning(125), "minivmm-error");
	assert_string_equal(run_status_meaning(126), "guest-crashed");
	assert_string_equal(run_status_meaning(143), "signalled");
	assert_string_equal(run_status_meaning(127), "unknown");
}

static void test_full_run(void **state)
{
	struct ktap_parser *p = ktap_new(NULL, NULL);
	struct vm_view_dev dev = {
		.bdf = "0000:03:00.0", .guest_bdf = "0000:00:01.0", .hotplug = "present", .irq_mode = "MSI-X",
		.modes_used = { "INTx", "MSI-X" }, .nmodes_used = 2, .vectors = 3, .interrupts = 1234,
		.mode_changes = 2, .faults_dropped = 1, .faults_spurious = 200, .flrs = 1, .d3_entries = 2,
	};
	struct event_log log;
	struct run_summary s = {
		.version = "0.1", .kernel = "/boot/vmlinuz-6.1.0-28-amd64", .kernel_release = "6.1.0-28-amd64",
		.packages = "linux-image-6.1.0-28-amd64.deb", .cmdline = "console=ttyS0 \"quoted\"", .cpus = 4,
		.mem_bytes = 512ull << 20, .seed = 18446744073709551615ull, .started_unix_ms = 1796000000000ll,
		.duration_s = 12.3456, .status = 1, .reason = "the guest command exited with 1", .ktap = p,
		.devs = &dev, .ndevs = 1, .exits = 99, .events = &log, .stressed = true,
		.stress = { .kicks = 10, .held_ms = 30, .cpu_offline = 4, .cpu_online = 3, .irq_moves = 7,
			    .msi_route_updates = 21 },
	};
	const struct json_val *r, *v, *c;
	struct json_out o;

	(void)state;
	eventlog_init(&log);
	eventlog_add(&log, "drop-msi", "0000:03:00.0 vector 1: next 1 interrupts");
	ktap_feed(p, "TAP version 13");
	ktap_feed(p, "1..2");
	ktap_feed(p, "ok 1 - probe");
	ktap_feed(p, "not ok 2 - traffic");
	ktap_finish(p);
	json_out_init(&o, 1 << 20);
	run_summary_write(&s, &o);
	assert_false(o.failed);
	assert_null(strchr(json_out_text(&o), '\n')); /* one line */
	r = parse(json_out_text(&o));
	assert_string_equal(str_of(r, "minivmm"), "0.1");
	v = json_member(r, "kernel");
	assert_string_equal(str_of(v, "image"), "/boot/vmlinuz-6.1.0-28-amd64");
	assert_string_equal(str_of(v, "release"), "6.1.0-28-amd64");
	assert_string_equal(str_of(v, "packages"), "linux-image-6.1.0-28-amd64.deb");
	assert_string_equal(str_of(r, "cmdline"), "console=ttyS0 \"quoted\"");
	assert_int_equal(int_of(r, "cpus"), 4);
	assert_int_equal(int_of(r, "mem_bytes"), 512ll << 20);
	/* Past int64: the exact digits are still there. */
	assert_non_null(strstr(json_out_text(&o), "\"seed\": 18446744073709551615"));
	assert_int_equal(int_of(r, "started_unix_ms"), 1796000000000ll);
	assert_true(json_member(r, "duration_s")->num > 12.345 && json_member(r, "duration_s")->num < 12.347);
	assert_int_equal(int_of(r, "status"), 1);
	assert_string_equal(str_of(r, "result"), "failed");
	assert_string_equal(str_of(r, "reason"), "the guest command exited with 1");
	assert_null(json_member(r, "panic"));
	v = json_member(r, "tests");
	assert_int_equal(int_of(v, "passed"), 1);
	assert_int_equal(int_of(v, "failed"), 1);
	c = json_member(v, "cases");
	assert_int_equal(c->count, 2);
	assert_string_equal(str_of(c->child, "name"), "probe");
	assert_string_equal(str_of(c->child, "status"), "pass");
	assert_string_equal(str_of(c->child->next, "status"), "fail");
	v = json_member(r, "devices");
	assert_int_equal(v->count, 1);
	assert_string_equal(str_of(v->child, "bdf"), "0000:03:00.0");
	assert_string_equal(str_of(v->child, "irq_mode"), "MSI-X");
	assert_int_equal(json_member(v->child, "irq_modes_used")->count, 2);
	assert_int_equal(int_of(v->child, "interrupts"), 1234);
	assert_int_equal(int_of(v->child, "faults_dropped"), 1);
	assert_int_equal(int_of(v->child, "faults_spurious"), 200);
	assert_int_equal(int_of(v->child, "flrs"), 1);
	assert_int_equal(int_of(v->child, "d3_entries"), 2);
	assert_int_equal(int_of(r, "vm_exits"), 99);
	v = json_member(r, "events");
	assert_int_equal(v->count, 1);
	assert_string_equal(str_of(v->child, "kind"), "drop-msi");
	assert_string_equal(str_of(v->child, "what"), "0000:03:00.0 vector 1: next 1 interrupts");
	v = json_member(r, "stress");
	assert_int_equal(int_of(v, "jitter_kicks"), 10);
	assert_int_equal(int_of(v, "cpu_offline"), 4);
	assert_int_equal(int_of(v, "msi_route_updates"), 21);
	json_out_free(&o);
	ktap_free(p);
	eventlog_destroy(&log);
}

/* A plain run: no tests, devices, events or stress members beyond empty lists. */
static void test_plain_run(void **state)
{
	struct run_summary s = {
		.version = "0.1", .kernel = "/k", .cmdline = "", .cpus = 1, .mem_bytes = 1, .status = 126,
		.reason = "guest kernel panic", .panic = "Kernel panic - not syncing: x",
	};
	const struct json_val *r;
	struct json_out o;

	(void)state;
	json_out_init(&o, 1 << 16);
	run_summary_write(&s, &o);
	r = parse(json_out_text(&o));
	assert_string_equal(str_of(r, "result"), "guest-crashed");
	assert_string_equal(str_of(r, "panic"), "Kernel panic - not syncing: x");
	assert_null(json_member(r, "tests"));
	assert_null(json_member(r, "stress"));
	assert_null(json_member(r, "started_unix_ms"));
	assert_null(json_member(json_member(r, "kernel"), "release"));
	assert_int_equal(json_member(r, "devices")->count, 0);
	assert_int_equal(json_member(r, "events")->count, 0);
	assert_null(json_member(r, "kernel_log"));
	json_out_free(&o);
}

/* A run the guest kernel's reports failed: each title with its console line and lines. */
static void test_kernel_log(void **state)
{
	struct klog_parser *p = klog_new();
	struct run_summary s = {
		.version = "0.1", .kernel = "/k", .cmdline = "", .cpus = 1, .mem_bytes = 1, .status = 1,
		.reason = "guest kernel reported WARNING in foo_probe at console line 2: ...",
	};
	const struct json_val *r, *k, *t;
	struct json_out o;

	(void)state;
	assert_non_null(p);
	assert_int_equal(klog_ignore(p, "BUG: soft lockup in *"), 0);
	klog_feed(p, "[    3.000000] foo: probing");
	klog_feed(p, "[    3.100000] WARNING: CPU: 0 PID: 9 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]");
	klog_feed(p, "[    3.100001] Modules linked in: foo");
	klog_feed(p, "[    3.100002] ---[ end trace 0000000000000000 ]---");
	klog_feed(p, "[   30.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [insmod:80]");
	klog_feed(p, "[   30.000001] RIP: 0010:bar_spin+0x10/0x20 [bar]");
	klog_feed(p, "[   30.000002] Call Trace:");
	klog_feed(p, "[   30.000003]  <TASK>");
	klog_feed(p, "[   30.000004]  bar_init+0x10/0x20 [bar]");
	klog_feed(p, "[   30.000005]  </TASK>");
	klog_finish(p);
	s.klog = p;
	json_out_init(&o, 1 << 16);
	run_summary_write(&s, &o);
	r = parse(json_out_text(&o));
	assert_string_equal(str_of(r, "result"), "failed");
	k = json_member(r, "kernel_log");
	assert_non_null(k);
	assert_int_equal(int_of(k, "reports"), 2);
	assert_int_equal(int_of(k, "failing"), 1);
	assert_int_equal(int_of(json_member(k, "classes"), "warning"), 1);
	t = json_member(k, "titles");
	assert_int_equal(t->count, 2);
	t = t->child;
	assert_string_equal(str_of(t, "title"), "WARNING in foo_probe");
	assert_int_equal(int_of(t, "line"), 2);
	assert_string_equal(str_of(t, "header"),
			    "[    3.100000] WARNING: CPU: 0 PID: 9 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]");
	assert_string_equal(str_of(t, "text"), "WARNING: CPU: 0 PID: 9 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n"
					       "Modules linked in: foo\n---[ end trace 0000000000000000 ]---\n");
	assert_null(json_member(t, "ignored_by"));
	t = t->next;
	assert_string_equal(str_of(t, "title"), "BUG: soft lockup in bar_spin");
	assert_string_equal(str_of(t, "ignored_by"), "BUG: soft lockup in *");
	assert_non_null(strstr(str_of(t, "text"), " bar_init+0x10/0x20 [bar]\n"));
	json_out_free(&o);
	klog_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meaning),
		cmocka_unit_test(test_full_run),
		cmocka_unit_test(test_plain_run),
		cmocka_unit_test(test_kernel_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
