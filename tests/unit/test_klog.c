// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the kernel-log parser (src/runner/klog*.c): one report of
 * every class as Debian's 6.1 kernel (and 6.12 where it differs) prints it
 * on the console, titles, where reports start and end, false positives a
 * program or the kernel's informational lines could cause, console
 * prefixes, interleaved lines, the caps, and garbage.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "minivmm/runner/klog.h"
#include "minivmm/runner/klog_format.h"
#include "minivmm/runner/ktap.h"

static unsigned long clock_us = 12345678;

/* Feed @text line by line, each with @prefix_fmt ("" none, "ts" timestamp, else a caller id). */
static void feed_as(struct klog_parser *p, const char *caller, const char *text)
{
	char line[2048];
	const char *nl;
	size_t n;
	int off;

	while (*text) {
		nl = strchr(text, '\n');
		n = nl ? (size_t)(nl - text) : strlen(text);
		if (!caller)
			off = 0;
		else if (!caller[0])
			off = snprintf(line, sizeof(line), "[%5lu.%06lu] ", clock_us / 1000000, clock_us % 1000000);
		else
			off = snprintf(line, sizeof(line), "[%5lu.%06lu][%6s] ", clock_us / 1000000,
				       clock_us % 1000000, caller);
		clock_us += 1234;
		assert_true(off + n < sizeof(line));
		memcpy(line + off, text, n);
		line[off + n] = 0;
		klog_feed(p, line);
		text += n + (nl ? 1 : 0);
	}
}

/* Kernel lines with a timestamp, as Debian's CONFIG_PRINTK_TIME kernel prints them. */
static void feed_ts(struct klog_parser *p, const char *text)
{
	feed_as(p, "", text);
}

/* Lines as they come (a program's output, or printk.time=0). */
static void feed_raw(struct klog_parser *p, const char *text)
{
	feed_as(p, NULL, text);
}

static const char *line_of(const struct klog_report *r, unsigned int i, char *buf, size_t len)
{
	const char *s = r->text;

	for (; i; i--) {
		s = strchr(s, '\n');
		assert_non_null(s);
		s++;
	}
	snprintf(buf, len, "%.*s", (int)strcspn(s, "\n"), s);
	return buf;
}

static const char *last_line(const struct klog_report *r, char *buf, size_t len)
{
	assert_true(r->nlines > 0);
	return line_of(r, r->nlines - 1, buf, len);
}

/* The console ended: the first report not accepted. */
static const struct klog_report *first(struct klog_parser *p)
{
	klog_finish(p);
	return klog_first(p);
}

static unsigned int total(const struct klog_parser *p)
{
	unsigned int n = 0;

	for (unsigned int c = 0; c < KLOG_NCLASSES; c++)
		n += klog_count(p, c);
	return n;
}

/* Parse @text (timestamped) alone; check class, title and how many lines the report has. */
static void expect_report(const char *text, enum klog_class cls, const char *title, unsigned int nlines)
{
	struct klog_parser *p = klog_new();
	const struct klog_report *r;

	assert_non_null(p);
	feed_ts(p, text);
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, cls);
	assert_string_equal(r->title, title);
	if (nlines)
		assert_int_equal(r->nlines, nlines);
	assert_int_equal(klog_count(p, cls), 1);
	assert_int_equal(total(p), 1);
	assert_false(r->truncated);
	klog_free(p);
}

static const char warn_module[] =
	"------------[ cut here ]------------\n"
	"WARNING: CPU: 1 PID: 123 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n"
	"Modules linked in: foo(OE+) e1000e ptp pps_core\n"
	"CPU: 1 PID: 123 Comm: insmod Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.192-3\n"
	"Hardware name: minivmm minivmm, BIOS 0.1 01/01/2024\n"
	"RIP: 0010:foo_probe+0x12/0x40 [foo]\n"
	"Code: 0f 1f 44 00 00 48 c7 c7 00 10 a0 c0 e8 7a 2b 6e e0 <0f> 0b 31 c0 c3 cc cc cc cc\n"
	"RSP: 0018:ffffb1c0c0113d88 EFLAGS: 00010246\n"
	"RAX: 0000000000000000 RBX: ffffffffc0a02000 RCX: 0000000000000000\n"
	"RDX: 0000000000000000 RSI: ffffffff9b2c0b8e RDI: 00000000ffffffff\n"
	"RBP: ffff9e3f41a3c100 R08: 0000000000000000 R09: ffffb1c0c0113c48\n"
	"R10: 0000000000000003 R11: ffffffff9bad4528 R12: ffffb1c0c0113e88\n"
	"R13: 0000000000000000 R14: ffffb1c0c0113e60 R15: 0000000000000000\n"
	"FS:  00007f6b8f6ef740(0000) GS:ffff9e3f7dd00000(0000) knlGS:0000000000000000\n"
	"CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033\n"
	"CR2: 000055d1d8a0b0b8 CR3: 0000000001a6c000 CR4: 00000000003506e0\n"
	"Call Trace:\n"
	" <TASK>\n"
	" ? __warn+0x7d/0xc0\n"
	" ? foo_probe+0x12/0x40 [foo]\n"
	" ? report_bug+0xe2/0x150\n"
	" ? handle_bug+0x41/0x70\n"
	" ? exc_invalid_op+0x13/0x60\n"
	" ? asm_exc_invalid_op+0x16/0x20\n"
	" ? foo_probe+0x12/0x40 [foo]\n"
	" foo_init+0x1c/0x1000 [foo]\n"
	" do_one_initcall+0x5a/0x220\n"
	" do_init_module+0x4a/0x200\n"
	" __do_sys_finit_module+0xac/0x120\n"
	" do_syscall_64+0x55/0xb0\n"
	" entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n"
	"RIP: 0033:0x7f6b8f80d719\n"
	"Code: 08 89 e8 5b 5d c3 66 2e 0f 1f 84 00 00 00 00 00 90 48 89 f8 48 89 f7 <48> 3d 01 f0 ff ff\n"
	"RSP: 002b:00007ffd2a6a8b18 EFLAGS: 00000246 ORIG_RAX: 0000000000000139\n"
	" </TASK>\n"
	"---[ end trace 0000000000000000 ]---\n";

static void test_warning_module(void **state)
{
	struct klog_parser *p = klog_new();
	const struct klog_report *r;
	char buf[KLOG_LINE_MAX];

	(void)state;
	feed_ts(p, "foo: probing\n");
	feed_ts(p, warn_module);
	feed_ts(p, "foo: probe done\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_WARNING);
	assert_string_equal(r->title, "WARNING in foo_probe");
	/* from the WARNING line to the end marker, console prefixes gone */
	assert_int_equal(r->nlines, 35);
	assert_string_equal(line_of(r, 0, buf, sizeof(buf)),
			    "WARNING: CPU: 1 PID: 123 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]");
	assert_string_equal(last_line(r, buf, sizeof(buf)), "---[ end trace 0000000000000000 ]---");
	assert_null(strstr(r->text, "probe done"));
	assert_int_equal(klog_count(p, KLOG_WARNING), 1);
	assert_int_equal(total(p), 1);
	klog_free(p);
}

static void test_warning_builtin_and_formats(void **state)
{
	(void)state;
	/* built into the kernel: no [module] */
	expect_report("WARNING: CPU: 3 PID: 45 at net/core/dev.c:3210 skb_warn_bad_offload+0x9c/0xb0\n"
		      "Modules linked in:\n"
		      "RIP: 0010:skb_warn_bad_offload+0x9c/0xb0\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " __skb_gso_segment+0x11c/0x160\n"
		      " </TASK>\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_WARNING, "WARNING in skb_warn_bad_offload", 8);
	/* CONFIG_DEBUG_BUGVERBOSE off: no file:line */
	expect_report("WARNING: CPU: 0 PID: 1 at foo_check+0x10/0x20 [foo]\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_WARNING, "WARNING in foo_check", 2);
	/* the format since late 2025: "file:line at func, CPU#n: comm/pid" */
	expect_report("WARNING: drivers/net/foo.c:42 at foo_probe+0x12/0x40 [foo], CPU#1: insmod/123\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_WARNING, "WARNING in foo_probe", 2);
	/* refcount: the helper is skipped, the caller named */
	expect_report("WARNING: CPU: 0 PID: 123 at lib/refcount.c:28 refcount_warn_saturate+0xba/0x110\n"
		      "RIP: 0010:refcount_warn_saturate+0xba/0x110\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " foo_put+0x20/0x30 [foo]\n"
		      " foo_remove+0x11/0x40 [foo]\n"
		      " </TASK>\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_WARNING, "WARNING: refcount bug in foo_put", 8);
	/* no stack kept: the header's function */
	expect_report("WARNING: CPU: 0 PID: 123 at drivers/net/foo.c:7 foo_open.cold+0x5/0x9 [foo]\n",
		      KLOG_WARNING, "WARNING in foo_open", 1);
}

/* Found by fuzzing: a header whose second "WARNING: CPU: " has no " at "
 * after it (a guest can print such a line) made warn_title read a NULL. */
static void test_warning_second_header_without_at(void **state)
{
	struct klog_parser *p = klog_new();
	const struct klog_report *r;

	(void)state;
	assert_non_null(p);
	feed_ts(p, "WARNING:CPU: 0 PID: 1 at foo_check+0x10/0x20 WARNING: CPU: 7\n"
		   "---[ end trace 0000000000000000 ]---\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_WARNING);
	assert_string_equal(r->title, "WARNING");
	klog_free(p);
}

static const char soft_lockup[] =
	"watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [insmod:123]\n"
	"Modules linked in: klogtest(OE+) e1000e\n"
	"CPU: 1 PID: 123 Comm: insmod Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.192-3\n"
	"Hardware name: minivmm minivmm, BIOS 0.1 01/01/2024\n"
	"RIP: 0010:delay_tsc+0x4a/0xb0\n"
	"Code: 48 89 c1 eb 1b 66 2e 0f 1f 84 00 00 00 00 00 f3 90 bf 01 00 00 00 e8 <65> 8b 15\n"
	"RSP: 0018:ffffb1c0c0113d70 EFLAGS: 00000283\n"
	"RAX: 000000000cc2dc0e RBX: 0000000000000000 RCX: 0000000000000001\n"
	"CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033\n"
	"Call Trace:\n"
	" <TASK>\n"
	" klogtest_spin+0x2c/0x50 [klogtest]\n"
	" klogtest_init+0x3e/0x1000 [klogtest]\n"
	" ? 0xffffffffc0a10000\n"
	" do_one_initcall+0x5a/0x220\n"
	" do_init_module+0x4a/0x200\n"
	" __do_sys_finit_module+0xac/0x120\n"
	" do_syscall_64+0x55/0xb0\n"
	" entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n"
	" </TASK>\n";

static void test_soft_lockup(void **state)
{
	(void)state;
	expect_report(soft_lockup, KLOG_SOFT_LOCKUP, "BUG: soft lockup in klogtest_init", 20);
	/* in a system call, the handler above the syscall entry */
	expect_report("watchdog: BUG: soft lockup - CPU#0 stuck for 26s! [cat:77]\n"
		      "RIP: 0010:foo_read+0x20/0x60 [foo]\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " vfs_read+0xb0/0x2e0\n"
		      " ksys_read+0x6b/0xf0\n"
		      " do_syscall_64+0x55/0xb0\n"
		      " </TASK>\n",
		      KLOG_SOFT_LOCKUP, "BUG: soft lockup in foo_read", 8);
}

static void test_hard_lockup(void **state)
{
	static const char body[] =
		"Modules linked in: klogtest(OE+)\n"
		"CPU: 1 PID: 123 Comm: insmod Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.192-3\n"
		"RIP: 0010:klogtest_spin_irq+0x20/0x40 [klogtest]\n"
		"Call Trace:\n"
		" <TASK>\n"
		" klogtest_init+0x50/0x1000 [klogtest]\n"
		" do_one_initcall+0x5a/0x220\n"
		" </TASK>\n";
	char text[2048];

	(void)state;
	/* 6.1 (perf NMI watchdog) */
	snprintf(text, sizeof(text), "NMI watchdog: Watchdog detected hard LOCKUP on cpu 1\n%s", body);
	expect_report(text, KLOG_HARD_LOCKUP, "Watchdog detected hard LOCKUP in klogtest_init", 9);
	/* 6.12 (buddy or perf detector) */
	snprintf(text, sizeof(text), "watchdog: CPU1: Watchdog detected hard LOCKUP on cpu 1\n%s", body);
	expect_report(text, KLOG_HARD_LOCKUP, "Watchdog detected hard LOCKUP in klogtest_init", 9);
	/* the WARN form: its own WARNING is part of it, not a second report */
	expect_report("Watchdog detected hard LOCKUP on cpu 1\n"
		      "WARNING: CPU: 0 PID: 0 at kernel/watchdog.c:390 watchdog_check_hardlockup_other_cpu+0xb0/0xd0\n"
		      "RIP: 0010:watchdog_check_hardlockup_other_cpu+0xb0/0xd0\n"
		      "Call Trace:\n"
		      " <IRQ>\n"
		      " </IRQ>\n"
		      " <TASK>\n"
		      " </TASK>\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_HARD_LOCKUP, "Watchdog detected hard LOCKUP in watchdog_check_hardlockup_other_cpu", 9);
}

static const char rcu_self[] =
	"rcu: INFO: rcu_sched self-detected stall on CPU\n"
	"rcu: \t1-....: (5249 ticks this GP) idle=8f4c/1/0x4000000000000000 softirq=2041/2041 fqs=2456\n"
	"\t(t=5250 jiffies g=4389 q=192 ncpus=2)\n"
	"NMI backtrace for cpu 1\n"
	"CPU: 1 PID: 123 Comm: insmod Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.192-3\n"
	"Hardware name: minivmm minivmm, BIOS 0.1 01/01/2024\n"
	"Call Trace:\n"
	" <IRQ>\n"
	" dump_stack_lvl+0x44/0x5c\n"
	" nmi_cpu_backtrace.cold+0x30/0x70\n"
	" ? lapic_can_unplug_cpu+0x80/0x80\n"
	" nmi_trigger_cpumask_backtrace+0xe8/0xf0\n"
	" rcu_dump_cpu_stacks+0xc0/0x100\n"
	" rcu_sched_clock_irq.cold+0x66/0x3a8\n"
	" update_process_times+0x5d/0x90\n"
	" tick_sched_handle+0x22/0x60\n"
	" tick_sched_timer+0x63/0x80\n"
	" ? tick_sched_do_timer+0x90/0x90\n"
	" __hrtimer_run_queues+0x112/0x2b0\n"
	" hrtimer_interrupt+0xfe/0x220\n"
	" __sysvec_apic_timer_interrupt+0x7f/0x170\n"
	" sysvec_apic_timer_interrupt+0x69/0x90\n"
	" </IRQ>\n"
	" <TASK>\n"
	" asm_sysvec_apic_timer_interrupt+0x16/0x20\n"
	"RIP: 0010:klogtest_spin+0x20/0x50 [klogtest]\n"
	"Code: 00 00 48 8b 05 59 e2 2b e0 48 2b 05 d2 23 00 00 48 3d 9f 86 01 00 77 0a f3 90 <48>\n"
	"RSP: 0018:ffffb1c0c0113d90 EFLAGS: 00000297\n"
	" klogtest_init+0x3e/0x1000 [klogtest]\n"
	" do_one_initcall+0x5a/0x220\n"
	" do_init_module+0x4a/0x200\n"
	" </TASK>\n";

static void test_rcu_stall(void **state)
{
	(void)state;
	expect_report(rcu_self, KLOG_RCU_STALL, "INFO: rcu detected stall in klogtest_init", 32);
	/* another CPU's stall: its NMI backtrace names the code */
	expect_report("rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
		      "rcu: \t1-...0: (1 GPs behind) idle=b34/1/0x4000000000000000 softirq=1/1 fqs=2\n"
		      "\t(detected by 0, t=5252 jiffies, g=2089, q=56 ncpus=2)\n"
		      "Sending NMI from CPU 0 to CPUs 1:\n"
		      "NMI backtrace for cpu 1\n"
		      "CPU: 1 PID: 45 Comm: kworker/1:1 Tainted: G           OE      6.1.0-57-amd64 #1\n"
		      "Workqueue: events foo_work_fn [foo]\n"
		      "RIP: 0010:foo_poll_hw+0x1a/0x40 [foo]\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " foo_work_fn+0x25/0x60 [foo]\n"
		      " process_one_work+0x1c7/0x380\n"
		      " worker_thread+0x4d/0x380\n"
		      " </TASK>\n",
		      KLOG_RCU_STALL, "INFO: rcu detected stall in foo_work_fn", 14);
	/* expedited grace periods (6.12 prints the same header) */
	expect_report("rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 1-... } 21 jiffies s: 557 root: 0x2/.\n",
		      KLOG_RCU_STALL, "INFO: rcu detected stall", 1);
}

static void test_hung_task(void **state)
{
	(void)state;
	expect_report("INFO: task kworker/0:1:45 blocked for more than 120 seconds.\n"
		      "      Tainted: G           OE      6.1.0-57-amd64 #1 Debian 6.1.192-3\n"
		      "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n"
		      "task:kworker/0:1     state:D stack:0     pid:45    ppid:2      flags:0x00004000\n"
		      "Workqueue: events foo_work_fn [foo]\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " __schedule+0x351/0xa20\n"
		      " schedule+0x5d/0xe0\n"
		      " schedule_preempt_disabled+0x14/0x30\n"
		      " __mutex_lock.constprop.0+0x3b4/0x700\n"
		      " foo_work_fn+0x25/0x60 [foo]\n"
		      " process_one_work+0x1c7/0x380\n"
		      " worker_thread+0x4d/0x380\n"
		      " ? rescuer_thread+0x3a0/0x3a0\n"
		      " kthread+0xda/0x100\n"
		      " ? kthread_complete_and_exit+0x20/0x20\n"
		      " ret_from_fork+0x22/0x30\n"
		      " </TASK>\n",
		      KLOG_HUNG_TASK, "INFO: task hung in foo_work_fn", 19);
	/* the RTNL and RCU waits are grouped */
	expect_report("INFO: task ip:321 blocked for more than 122 seconds.\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " __schedule+0x351/0xa20\n"
		      " schedule+0x5d/0xe0\n"
		      " __mutex_lock.constprop.0+0x3b4/0x700\n"
		      " rtnl_lock+0x15/0x20\n"
		      " do_setlink+0x30/0xa0\n"
		      " </TASK>\n",
		      KLOG_HUNG_TASK, "INFO: task hung in rtnl_lock", 9);
}

static const char null_deref[] =
	"BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	"#PF: supervisor read access in kernel mode\n"
	"#PF: error_code(0x0000) - not-present page\n"
	"PGD 0 P4D 0 \n"
	"Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
	"CPU: 0 PID: 123 Comm: cat Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.192-3\n"
	"Hardware name: minivmm minivmm, BIOS 0.1 01/01/2024\n"
	"RIP: 0010:foo_read+0x1d/0x60 [foo]\n"
	"Code: 0f 1f 44 00 00 48 8b 47 08 <8b> 40 08 c3 cc cc cc cc\n"
	"RSP: 0018:ffffb1c0c0193e28 EFLAGS: 00010246\n"
	"Call Trace:\n"
	" <TASK>\n"
	" ? __die_body.cold+0x1a/0x1f\n"
	" ? page_fault_oops+0xd2/0x2b0\n"
	" ? exc_page_fault+0x70/0x170\n"
	" ? asm_exc_page_fault+0x22/0x30\n"
	" ? foo_read+0x1d/0x60 [foo]\n"
	" vfs_read+0xb0/0x2e0\n"
	" ksys_read+0x6b/0xf0\n"
	" do_syscall_64+0x55/0xb0\n"
	" entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n"
	"RIP: 0033:0x7f1c2a50e4ad\n"
	" </TASK>\n"
	"Modules linked in: foo(OE)\n"
	"CR2: 0000000000000008\n"
	"---[ end trace 0000000000000000 ]---\n";

static void test_bug_null_deref(void **state)
{
	struct klog_parser *p = klog_new();
	const struct klog_report *r;

	(void)state;
	feed_ts(p, null_deref);
	/* after the end marker the kernel prints the registers once more */
	feed_ts(p, "RIP: 0010:foo_read+0x1d/0x60 [foo]\nnote: cat[123] exited with irqs disabled\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_BUG);
	assert_string_equal(r->title, "BUG: unable to handle kernel NULL pointer dereference in foo_read");
	assert_int_equal(r->nlines, 26);
	assert_int_equal(total(p), 1);
	klog_free(p);
	expect_report("BUG: unable to handle page fault for address: ffffc90000ffe000\n"
		      "RIP: 0010:foo_fill+0x9/0x20 [foo]\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_BUG, "BUG: unable to handle kernel paging request in foo_fill", 3);
}

static void test_bug_other_formats(void **state)
{
	(void)state;
	expect_report("BUG: scheduling while atomic: insmod/123/0x00000002\n"
		      "Modules linked in: foo(OE+)\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " dump_stack_lvl+0x44/0x5c\n"
		      " __schedule_bug.cold+0x4a/0x56\n"
		      " __schedule+0x8aa/0xa20\n"
		      " schedule+0x5d/0xe0\n"
		      " schedule_timeout+0x88/0x140\n"
		      " msleep+0x28/0x40\n"
		      " foo_reset+0x30/0x70 [foo]\n"
		      " </TASK>\n",
		      KLOG_BUG, "BUG: scheduling while atomic in foo_reset", 12);
	expect_report("BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580\n"
		      "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 123, name: insmod\n"
		      "preempt_count: 1, expected: 0\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " dump_stack_lvl+0x44/0x5c\n"
		      " __might_resched.cold+0xcc/0xdf\n"
		      " mutex_lock+0x1a/0x40\n"
		      " foo_set_mode+0x22/0x60 [foo]\n"
		      " </TASK>\n",
		      KLOG_BUG, "BUG: sleeping function called from invalid context in foo_set_mode", 10);
	expect_report("BUG: using smp_processor_id() in preemptible [00000000] code: insmod/123\n"
		      "caller is foo_stat+0x11/0x30 [foo]\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " dump_stack_lvl+0x44/0x5c\n"
		      " check_preemption_disabled+0xd6/0xe0\n"
		      " foo_stat+0x11/0x30 [foo]\n"
		      " </TASK>\n",
		      KLOG_BUG, "BUG: using smp_processor_id() in preemptible code in foo_stat", 8);
	expect_report("BUG: spinlock lockup suspected on CPU#0, insmod/123\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " do_raw_spin_lock+0x9f/0xb0\n"
		      " foo_xmit+0x40/0x90 [foo]\n"
		      " </TASK>\n",
		      KLOG_BUG, "BUG: spinlock lockup suspected in foo_xmit", 6);
	expect_report("BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 31s!\n",
		      KLOG_BUG, "BUG: workqueue lockup", 1);
	expect_report("BUG: Bad page state in process insmod  pfn:10a3f\n", KLOG_BUG, "BUG: Bad page state", 1);
	/* a BUG: no format is known for: its own line is the title */
	expect_report("BUG: Dentry 00000000a1b2c3d4{i=1,n=foo}  still in use (1) [unmount of tmpfs tmpfs]\n",
		      KLOG_BUG, "BUG: Dentry 00000000a1b2c3d4{i=1,n=foo}  still in use (1) [unmount of tmpfs tmpfs]", 1);
}

static const char kasan_oob[] =
	"BUG: KASAN: slab-out-of-bounds in foo_read+0x9e/0xc0 [foo]\n"
	"Read of size 4 at addr ffff888003a4e0a8 by task cat/123\n"
	"\n"
	"CPU: 0 PID: 123 Comm: cat Tainted: G    B      OE      6.1.0 #1\n"
	"Hardware name: minivmm minivmm, BIOS 0.1 01/01/2024\n"
	"Call Trace:\n"
	" <TASK>\n"
	" dump_stack_lvl+0x44/0x5c\n"
	" print_report+0x184/0x4be\n"
	" ? foo_read+0x9e/0xc0 [foo]\n"
	" kasan_report+0xc3/0x100\n"
	" ? foo_read+0x9e/0xc0 [foo]\n"
	" foo_read+0x9e/0xc0 [foo]\n"
	" vfs_read+0x146/0x4e0\n"
	" </TASK>\n"
	"\n"
	"Allocated by task 123:\n"
	" kasan_save_stack+0x22/0x50\n"
	" __kasan_kmalloc+0x7e/0x90\n"
	" foo_probe+0x4a/0x120 [foo]\n"
	"\n"
	"The buggy address belongs to the object at ffff888003a4e080\n"
	" which belongs to the cache kmalloc-32 of size 32\n"
	"The buggy address is located 8 bytes to the right of\n"
	" 32-byte region [ffff888003a4e080, ffff888003a4e0a0)\n"
	"\n"
	"Memory state around the buggy address:\n"
	" ffff888003a4df80: fa fb fb fb fc fc fc fc fa fb fb fb fc fc fc fc\n"
	">ffff888003a4e080: 00 00 00 00 fc fc fc fc fc fc fc fc fc fc fc fc\n"
	"                                  ^\n"
	"==================================================================\n";

static void test_kasan(void **state)
{
	struct klog_parser *p = klog_new();
	const struct klog_report *r;
	char buf[KLOG_LINE_MAX];

	(void)state;
	feed_ts(p, "==================================================================\n");
	feed_ts(p, kasan_oob);
	feed_ts(p, "Disabling lock debugging due to kernel taint\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_KASAN);
	assert_string_equal(r->title, "KASAN: slab-out-of-bounds Read in foo_read");
	assert_int_equal(r->nlines, 31);
	assert_string_equal(last_line(r, buf, sizeof(buf)),
			    "==================================================================");
	klog_free(p);
	expect_report("BUG: KASAN: use-after-free in foo_close+0x31/0x50 [foo]\n"
		      "Write of size 8 at addr ffff888003a4e0a8 by task cat/123\n"
		      "==================================================================\n",
		      KLOG_KASAN, "KASAN: use-after-free Write in foo_close", 3);
	expect_report("BUG: KASAN: double-free in foo_remove+0x31/0x50 [foo]\n"
		      "Free of addr ffff888003a4e080 by task rmmod/124\n"
		      "==================================================================\n",
		      KLOG_KASAN, "KASAN: invalid-free in foo_remove", 3);
}

static void test_ubsan(void **state)
{
	static const char text[] =
		"UBSAN: array-index-out-of-bounds in drivers/net/foo.c:88:12\n"
		"index 8 is out of range for type 'u32 [8]'\n"
		"CPU: 1 PID: 123 Comm: insmod Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.192-3\n"
		"Hardware name: minivmm minivmm, BIOS 0.1 01/01/2024\n"
		"Call Trace:\n"
		" <TASK>\n"
		" dump_stack_lvl+0x44/0x5c\n"
		" __ubsan_handle_out_of_bounds.cold+0x44/0x49\n"
		" foo_fill+0x8a/0x90 [foo]\n"
		" foo_probe+0x2e/0x60 [foo]\n"
		" </TASK>\n"
		"================================================================================\n";
	struct klog_parser *p = klog_new();
	const struct klog_report *r;

	(void)state;
	feed_ts(p, "================================================================================\n");
	feed_ts(p, text);
	feed_ts(p, "foo: loaded\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_UBSAN);
	assert_string_equal(r->title, "UBSAN: array-index-out-of-bounds in foo_fill");
	/* the stack's </TASK> does not end it: the closing bracket does */
	assert_int_equal(r->nlines, 12);
	klog_free(p);
	expect_report("UBSAN: shift-out-of-bounds in drivers/net/foo.c:12:20\n"
		      "shift exponent 40 is too large for 32-bit type 'unsigned int'\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " dump_stack_lvl+0x44/0x5c\n"
		      " __ubsan_handle_shift_out_of_bounds.cold+0x61/0xef\n"
		      " foo_rate+0x12/0x20 [foo]\n"
		      " </TASK>\n"
		      "================================================================================\n",
		      KLOG_UBSAN, "UBSAN: shift-out-of-bounds in foo_rate", 9);
}

static void test_kcsan_kfence_kmsan(void **state)
{
	(void)state;
	expect_report("BUG: KCSAN: data-race in foo_irq_handler [foo] / foo_xmit [foo]\n"
		      "\n"
		      "write to 0xffff888003a4e0a8 of 4 bytes by interrupt on cpu 1:\n"
		      " foo_irq_handler+0x3c/0x90 [foo]\n"
		      " __handle_irq_event_percpu+0x5b/0x2a0\n"
		      "\n"
		      "read to 0xffff888003a4e0a8 of 4 bytes by task 456 on cpu 0:\n"
		      " foo_xmit+0x51/0x120 [foo]\n"
		      " dev_hard_start_xmit+0xd0/0x3c0\n"
		      "\n"
		      "Reported by Kernel Concurrency Sanitizer on:\n"
		      "CPU: 0 PID: 456 Comm: ping Not tainted 6.1.0 #1\n"
		      "==================================================================\n",
		      KLOG_KCSAN, "KCSAN: data-race in foo_irq_handler / foo_xmit", 13);
	expect_report("BUG: KFENCE: out-of-bounds read in foo_parse+0x2c/0x80 [foo]\n"
		      "\n"
		      "Out-of-bounds read at 0x00000000f1e2d3c4 (32B right of kfence-#17):\n"
		      " foo_parse+0x2c/0x80 [foo]\n"
		      "==================================================================\n",
		      KLOG_KFENCE, "KFENCE: out-of-bounds read in foo_parse", 5);
	expect_report("BUG: KMSAN: uninit-value in foo_csum+0x42/0x90 [foo]\n"
		      " foo_csum+0x42/0x90 [foo]\n"
		      " foo_rx+0x120/0x300 [foo]\n"
		      "==================================================================\n",
		      KLOG_KMSAN, "KMSAN: uninit-value in foo_csum", 4);
}

static void test_oopses(void **state)
{
	(void)state;
	expect_report("general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI\n"
		      "RIP: 0010:foo_unlink+0x11/0x30 [foo]\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_OOPS, "general protection fault in foo_unlink", 3);
	/* 6.12 prefixes the die() line with "Oops: " */
	expect_report("Oops: general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN NOPTI\n"
		      "RIP: 0010:foo_unlink+0x11/0x30 [foo]\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_OOPS, "general protection fault in foo_unlink", 3);
	/* BUG_ON: "invalid opcode" is part of it */
	expect_report("------------[ cut here ]------------\n"
		      "kernel BUG at drivers/net/foo.c:301!\n"
		      "invalid opcode: 0000 [#1] PREEMPT SMP NOPTI\n"
		      "RIP: 0010:foo_ring_put+0x52/0x60 [foo]\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_OOPS, "kernel BUG in foo_ring_put", 4);
	expect_report("kernel BUG at lib/list_debug.c:59!\n"
		      "Oops: invalid opcode: 0000 [#1] PREEMPT SMP NOPTI\n"
		      "RIP: 0010:__list_del_entry_valid.cold+0x4b/0x6f\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " foo_remove+0x1e/0x60 [foo]\n"
		      " </TASK>\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_LIST_CORRUPTION, "BUG: corrupted list in foo_remove", 8);
	/* alone, an invalid opcode is an oops of its own */
	expect_report("invalid opcode: 0000 [#1] PREEMPT SMP NOPTI\n"
		      "RIP: 0010:foo_bad+0x2/0x10 [foo]\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_OOPS, "invalid opcode in foo_bad", 3);
	expect_report("divide error: 0000 [#1] PREEMPT SMP NOPTI\n"
		      "RIP: 0010:foo_rate+0x1a/0x40 [foo]\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_OOPS, "divide error in foo_rate", 3);
}

static void test_lockdep(void **state)
{
	(void)state;
	expect_report("WARNING: possible circular locking dependency detected\n"
		      "6.1.0 #1 Tainted: G           OE\n"
		      "------------------------------------------------------\n"
		      "insmod/123 is trying to acquire lock:\n"
		      "ffff888003a4e0a8 (&priv->lock){+.+.}-{3:3}, at: foo_reset+0x22/0x90 [foo]\n"
		      "\n"
		      "but task is already holding lock:\n"
		      "ffffffff82a4e0a8 (rtnl_mutex){+.+.}-{3:3}, at: foo_open+0x12/0x40 [foo]\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " dump_stack_lvl+0x44/0x5c\n"
		      " </TASK>\n",
		      KLOG_LOCKDEP, "possible deadlock in foo_reset", 12);
	expect_report("WARNING: suspicious RCU usage\n"
		      "6.1.0 #1 Tainted: G           OE\n"
		      "-----------------------------\n"
		      "drivers/net/foo.c:123 suspicious rcu_dereference_check() usage!\n"
		      " </TASK>\n",
		      KLOG_LOCKDEP, "WARNING: suspicious RCU usage in drivers/net/foo.c:123", 5);
}

static void test_netdev_watchdog(void **state)
{
	static const char v61[] =
		"------------[ cut here ]------------\n"
		"NETDEV WATCHDOG: eth0 (e1000e): transmit queue 0 timed out\n"
		"WARNING: CPU: 1 PID: 0 at net/sched/sch_generic.c:525 dev_watchdog+0x207/0x210\n"
		"Modules linked in: e1000e ptp pps_core\n"
		"CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0-57-amd64 #1  Debian 6.1.192-3\n"
		"RIP: 0010:dev_watchdog+0x207/0x210\n"
		"Call Trace:\n"
		" <IRQ>\n"
		" ? pfifo_fast_reset+0x140/0x140\n"
		" call_timer_fn+0x27/0x130\n"
		" __run_timers+0x20a/0x2a0\n"
		" run_timer_softirq+0x1d/0x40\n"
		" __do_softirq+0xf0/0x2fe\n"
		" </IRQ>\n"
		" <TASK>\n"
		" asm_sysvec_apic_timer_interrupt+0x16/0x20\n"
		"RIP: 0010:native_safe_halt+0xb/0x10\n"
		" default_idle+0xa/0x10\n"
		" </TASK>\n"
		"---[ end trace 0000000000000000 ]---\n";
	struct klog_parser *p = klog_new();
	const struct klog_report *r;

	(void)state;
	feed_ts(p, v61);
	feed_ts(p, "e1000e 0000:00:03.0 eth0: Reset adapter unexpectedly\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_NETDEV_WATCHDOG);
	assert_string_equal(r->title, "NETDEV WATCHDOG: eth0 (e1000e): transmit queue 0 timed out");
	/* the WARN is its own, and the report ends at its end marker */
	assert_int_equal(r->nlines, 19);
	assert_int_equal(klog_count(p, KLOG_WARNING), 0);
	assert_int_equal(total(p), 1);
	klog_free(p);

	/* 6.9+: one netdev_crit line, no WARN; the report ends after it */
	p = klog_new();
	feed_ts(p, "e1000e 0000:00:03.0 eth0: NETDEV WATCHDOG: CPU: 1: transmit queue 0 timed out 5124 ms\n"
		   "e1000e 0000:00:03.0 eth0: Reset adapter unexpectedly\n"
		   "e1000e 0000:00:03.0 eth0: NIC Link is Up 1000 Mbps Full Duplex\n"
		   "a\nb\nc\nd\ne\n");
	r = first(p);
	assert_non_null(r);
	assert_string_equal(r->title, "NETDEV WATCHDOG: eth0 (e1000e): transmit queue 0 timed out");
	assert_int_equal(r->nlines, 5);
	assert_int_equal(total(p), 1);
	klog_free(p);

	/* a console at loglevel 4 ("quiet") hides the KERN_INFO message: the WARN alone says it */
	expect_report("WARNING: CPU: 1 PID: 0 at net/sched/sch_generic.c:525 dev_watchdog+0x207/0x210\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_NETDEV_WATCHDOG, "NETDEV WATCHDOG: transmit queue timed out", 2);
}

static void test_irq_nobody_cared(void **state)
{
	struct klog_parser *p = klog_new();
	const struct klog_report *r;
	char buf[KLOG_LINE_MAX];

	(void)state;
	feed_ts(p, "irq 11: nobody cared (try booting with the \"irqpoll\" option)\n"
		   "CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.1.0-57-amd64 #1  Debian 6.1.192-3\n"
		   "Hardware name: minivmm minivmm, BIOS 0.1 01/01/2024\n"
		   "Call Trace:\n"
		   " <IRQ>\n"
		   " dump_stack_lvl+0x44/0x5c\n"
		   " __report_bad_irq+0x35/0xaa\n"
		   " note_interrupt.cold+0xb/0x61\n"
		   " handle_irq_event+0x6f/0x80\n"
		   " handle_fasteoi_irq+0x8b/0x1e0\n"
		   " </IRQ>\n"
		   " <TASK>\n"
		   " asm_common_interrupt+0x22/0x40\n"
		   "RIP: 0010:native_safe_halt+0xb/0x10\n"
		   " </TASK>\n"
		   "handlers:\n"
		   "[<00000000f3c6a1b2>] e1000_intr [e1000]\n"
		   "Disabling IRQ #11\n"
		   "e1000 0000:00:04.0 eth1: something else\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_IRQ_NOBODY_CARED);
	assert_string_equal(r->title, "irq 11: nobody cared (handler e1000_intr)");
	assert_int_equal(r->nlines, 18);
	assert_string_equal(last_line(r, buf, sizeof(buf)), "Disabling IRQ #11");
	klog_free(p);
}

/* What programs and the kernel's informational lines print must not count. */
static void test_false_positives(void **state)
{
	static const char kernel_info[] =
		"RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!\n"
		"Spectre V2 : WARNING: Unprivileged eBPF is enabled with eIBRS on, data leaks possible via Spectre v2 BHB attacks!\n"
		"ODEBUG: object 00000000a1b2c3d4 is on stack 00000000e5f6a7b8, but NOT annotated.\n"
		"DEBUG: something\n"
		"traps: a.out[123] general protection fault ip:401136 sp:7ffc1ab0c8f0 error:0 in a.out[401000+1000]\n"
		"traps: a.out[124] trap divide error ip:401136 sp:7ffc1ab0c8f0 error:0 in a.out[401000+1000]\n"
		"traps: a.out[125] trap invalid opcode ip:401136 sp:7ffc1ab0c8f0 error:0 in a.out[401000+1000]\n"
		"a.out[126]: segfault at 0 ip 0000000000401136 sp 00007ffc1ab0c8f0 error 6 in a.out[401000+1000]\n"
		"rcu: RCU CPU stall warnings timeout set to 100 (rcu_cpu_stall_timeout).\n"
		"NMI watchdog: Enabled. Permanently consumes one hw-PMU counter.\n"
		"watchdog: Disabled\n"
		"INFO: task foo is fine\n"
		"ACPI BIOS Warning (bug): 32/64X length mismatch in FADT/Pm1aEventBlock: 32/16 (20220331/tbfadt-564)\n"
		"irq 9: nobody watching\n"
		"kernel BUG at nothing\n"
		"UBSAN: enabled\n";
	struct klog_parser *p = klog_new();

	(void)state;
	feed_ts(p, kernel_info);
	assert_int_equal(total(p), 0);
	assert_null(first(p));
	/* a program's output among timestamped kernel lines: no prefix, no report */
	feed_raw(p, "WARNING: disk almost full\n"
		    "BUG: my_program failed\n"
		    "WARNING: CPU: 0 PID: 1 at fake.c:1 fake_fn+0x1/0x2\n"
		    "INFO: task foo:1 blocked for more than 120 seconds.\n"
		    "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [x:1]\n");
	assert_int_equal(total(p), 0);
	klog_free(p);

	/* printk.time=0: no prefixes anywhere; kernel formats still count, free text does not */
	p = klog_new();
	feed_raw(p, "Linux version 6.1.0-57-amd64\n"
		    "WARNING: disk almost full\n"
		    "BUG: my_program failed\n"
		    "KASAN is not a word here: BUG:\n");
	assert_int_equal(total(p), 0);
	feed_raw(p, "WARNING: CPU: 0 PID: 1 at drivers/net/foo.c:1 foo_fn+0x1/0x2 [foo]\n");
	assert_int_equal(klog_count(p, KLOG_WARNING), 1);
	assert_string_equal(first(p)->title, "WARNING in foo_fn");
	klog_free(p);
}

static void test_prefixes(void **state)
{
	struct klog_parser *p;
	const struct klog_report *r;
	char buf[KLOG_LINE_MAX];

	(void)state;
	/* caller ids, a loglevel, dropped messages, CRs, and a program's partial line in front */
	p = klog_new();
	klog_feed(p, "[    1.000000][    T1] Linux version 6.1.0-57-amd64\r");
	klog_feed(p, "progress: 45%[   12.345678][  T123] WARNING: CPU: 1 PID: 123 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\r");
	klog_feed(p, "<4>[   12.345679][  T123] RIP: 0010:foo_probe+0x12/0x40 [foo]\r");
	klog_feed(p, "** 3 printk messages dropped ** [   12.345680][  T123] Call Trace:\r");
	klog_feed(p, "[   12.345681][  T123]  foo_init+0x1c/0x1000 [foo]\r");
	klog_feed(p, "[   12.345682][  T123] ---[ end trace 0000000000000000 ]---\r");
	r = first(p);
	assert_non_null(r);
	assert_string_equal(r->title, "WARNING in foo_probe");
	assert_int_equal(r->nlines, 5);
	assert_string_equal(line_of(r, 0, buf, sizeof(buf)),
			    "WARNING: CPU: 1 PID: 123 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]");
	assert_string_equal(line_of(r, 3, buf, sizeof(buf)), " foo_init+0x1c/0x1000 [foo]");
	assert_null(strchr(r->text, '\r'));
	klog_free(p);

	/* not prefixes: no digits, no space after */
	p = klog_new();
	klog_feed(p, "[    1.000000] Linux version 6.1.0-57-amd64");
	klog_feed(p, "[abc] WARNING: CPU: 1 PID: 2 at a.c:1 f+0x1/0x2");
	klog_feed(p, "[ 1.2]WARNING: CPU: 1 PID: 2 at a.c:1 f+0x1/0x2");
	assert_int_equal(total(p), 0);
	klog_free(p);
}

static void test_interleaved(void **state)
{
	struct klog_parser *p;
	const struct klog_report *r;

	(void)state;
	/* CONFIG_PRINTK_CALLER: another task's lines, and its own report, stay out */
	p = klog_new();
	feed_as(p, "T123", "WARNING: CPU: 1 PID: 123 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n"
			   "Modules linked in: foo(OE+)\n");
	feed_as(p, "T456", "systemd-udevd: renamed eth0\n"
			   "BUG: KASAN: use-after-free in bar_close+0x31/0x50 [bar]\n"
			   "Write of size 8 at addr ffff888003a4e0a8 by task cat/456\n");
	feed_as(p, "T123", "RIP: 0010:foo_probe+0x12/0x40 [foo]\n");
	feed_as(p, "T456", "==================================================================\n");
	feed_as(p, "T123", "Call Trace:\n"
			   " <TASK>\n"
			   " foo_init+0x1c/0x1000 [foo]\n"
			   " </TASK>\n"
			   "---[ end trace 0000000000000000 ]---\n");
	r = first(p);
	assert_non_null(r);
	assert_string_equal(r->title, "WARNING in foo_probe");
	assert_int_equal(r->nlines, 8);
	assert_null(strstr(r->text, "KASAN"));
	assert_null(strstr(r->text, "udevd"));
	assert_int_equal(klog_count(p, KLOG_WARNING), 1);
	assert_int_equal(klog_count(p, KLOG_KASAN), 1);
	/* the other task's report has its own lines, none of the first one's */
	assert_int_equal(klog_nreports(p), 2);
	r = klog_report_at(p, 1);
	assert_string_equal(r->title, "KASAN: use-after-free Write in bar_close");
	assert_int_equal(r->nlines, 3);
	assert_null(strstr(r->text, "foo"));
	assert_true(r->header[0] == '[');
	assert_non_null(strstr(r->header, "][  T456] BUG: KASAN: use-after-free in bar_close+0x31/0x50 [bar]"));
	assert_int_equal(r->line, 4);
	assert_int_equal(klog_failing(p), 2);
	klog_free(p);

	/* timestamps only: a program's lines in between are left out */
	p = klog_new();
	feed_ts(p, "watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [insmod:123]\n"
		   "RIP: 0010:delay_tsc+0x4a/0xb0\n");
	feed_raw(p, "ping: 64 bytes from 169.254.0.2: icmp_seq=7 ttl=64 time=0.3 ms\n");
	feed_ts(p, "Call Trace:\n"
		   " <TASK>\n"
		   " klogtest_init+0x3e/0x1000 [klogtest]\n"
		   " do_one_initcall+0x5a/0x220\n"
		   " </TASK>\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->nlines, 7);
	assert_null(strstr(r->text, "ping"));
	assert_string_equal(r->title, "BUG: soft lockup in klogtest_init");
	klog_free(p);

	/* a backtrace of all CPUs: after "Sending NMI", the other CPUs' lines belong */
	p = klog_new();
	feed_as(p, "C0", "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
			 "Sending NMI from CPU 0 to CPUs 1:\n");
	feed_as(p, "T77", "unrelated task line\n");
	feed_as(p, "C1", "NMI backtrace for cpu 1\n"
			 "RIP: 0010:foo_poll_hw+0x1a/0x40 [foo]\n"
			 "Call Trace:\n"
			 " foo_work_fn+0x25/0x60 [foo]\n"
			 " process_one_work+0x1c7/0x380\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->nlines, 7);
	assert_null(strstr(r->text, "unrelated"));
	assert_string_equal(r->title, "INFO: rcu detected stall in foo_work_fn");
	klog_free(p);
}

static void test_report_boundaries(void **state)
{
	struct klog_parser *p;
	const struct klog_report *r;
	char buf[KLOG_LINE_MAX];

	(void)state;
	/* a WARNING cut short by a BUG: two reports, the first ends before the second */
	p = klog_new();
	feed_ts(p, "WARNING: CPU: 1 PID: 123 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n"
		   "Modules linked in: foo(OE+)\n"
		   "BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
		   "RIP: 0010:foo_read+0x1d/0x60 [foo]\n");
	r = first(p);
	assert_int_equal(r->nlines, 2);
	assert_int_equal(klog_count(p, KLOG_WARNING), 1);
	assert_int_equal(klog_count(p, KLOG_BUG), 1);
	klog_free(p);

	/* a report before a panic is kept; the panic is not a report and ends it */
	p = klog_new();
	feed_ts(p, soft_lockup);
	feed_ts(p, "Kernel panic - not syncing: softlockup: hung tasks\n");
	feed_ts(p, "Kernel panic - not syncing: Watchdog detected hard LOCKUP on cpu 1\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_SOFT_LOCKUP);
	assert_int_equal(total(p), 1);
	klog_free(p);
	p = klog_new();
	feed_ts(p, "WARNING: CPU: 0 PID: 1 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n"
		   "Modules linked in: foo(OE+)\n"
		   "Kernel panic - not syncing: kernel: panic_on_warn set ...\n"
		   "CPU: 0 PID: 1 Comm: insmod Tainted: G           OE      6.1.0-57-amd64 #1\n");
	r = first(p);
	assert_int_equal(r->nlines, 2);
	assert_string_equal(last_line(r, buf, sizeof(buf)), "Modules linked in: foo(OE+)");
	klog_free(p);

	/* several reports: all counted, one entry per title, in console order */
	p = klog_new();
	feed_ts(p, warn_module);
	feed_ts(p, soft_lockup);
	feed_ts(p, warn_module);
	feed_ts(p, kasan_oob);
	r = first(p);
	assert_string_equal(r->title, "WARNING in foo_probe");
	assert_int_equal(r->nlines, 35);
	assert_int_equal(r->count, 2);
	assert_int_equal(r->line, 2); /* after "cut here" */
	assert_int_equal(klog_count(p, KLOG_WARNING), 2);
	assert_int_equal(klog_count(p, KLOG_SOFT_LOCKUP), 1);
	assert_int_equal(klog_count(p, KLOG_KASAN), 1);
	assert_int_equal(total(p), 4);
	assert_int_equal(klog_failing(p), 4);
	assert_int_equal(klog_nreports(p), 3);
	assert_string_equal(klog_report_at(p, 1)->title, "BUG: soft lockup in klogtest_init");
	assert_int_equal(klog_report_at(p, 1)->line, 37);
	assert_int_equal(klog_report_at(p, 2)->cls, KLOG_KASAN);
	assert_null(klog_report_at(p, 3));
	klog_free(p);

	/* a report that never ends stops after a while: a later WARN is a report of its own */
	p = klog_new();
	feed_ts(p, "NMI watchdog: Watchdog detected hard LOCKUP on cpu 1\n");
	for (int i = 0; i < 500; i++)
		feed_ts(p, "pool 0: cpus=0 flags=0x0 nice=0 hung=12s workers=3\n");
	feed_ts(p, "WARNING: CPU: 0 PID: 1 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n");
	assert_int_equal(klog_count(p, KLOG_WARNING), 1);
	klog_free(p);
}

static void test_caps(void **state)
{
	struct klog_parser *p;
	const struct klog_report *r;
	char line[1200];

	(void)state;
	/* lines */
	p = klog_new();
	feed_ts(p, "WARNING: CPU: 0 PID: 1 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n");
	for (int i = 0; i < 300; i++)
		feed_ts(p, " ? some_frame+0x1/0x2\n");
	feed_ts(p, "---[ end trace 0000000000000000 ]---\n");
	feed_ts(p, "BUG: KASAN: use-after-free in bar_close+0x31/0x50 [bar]\n");
	r = first(p);
	assert_int_equal(r->nlines, KLOG_KEEP_LINES);
	assert_true(r->truncated);
	assert_int_equal(klog_count(p, KLOG_KASAN), 1);
	assert_string_equal(r->title, "WARNING in foo_probe");
	klog_free(p);

	/* bytes, and the length of one line */
	p = klog_new();
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	memcpy(line, "[    1.000000] ", 15);
	feed_ts(p, "BUG: KASAN: use-after-free in bar_close+0x31/0x50 [bar]\n");
	for (int i = 0; i < 60; i++)
		klog_feed(p, line);
	r = first(p);
	assert_true(r->truncated);
	assert_true(strlen(r->text) < KLOG_KEEP_BYTES);
	assert_true(r->nlines < 60);
	for (const char *s = r->text; *s; s = strchr(s, '\n') + 1)
		assert_true(strcspn(s, "\n") < KLOG_LINE_MAX);
	klog_free(p);
}

static void test_list_corruption(void **state)
{
	static const char add_bug[] =
		"list_add corruption. next->prev should be prev (ffffffffc0a12040), but was 0000000000000000. (next=ffff9e3f43b1c2a0).\n"
		"------------[ cut here ]------------\n"
		"kernel BUG at lib/list_debug.c:27!\n"
		"invalid opcode: 0000 [#1] PREEMPT SMP NOPTI\n"
		"CPU: 0 PID: 123 Comm: insmod Tainted: G           OE      6.1.0-57-amd64 #1  Debian 6.1.192-3\n"
		"RIP: 0010:__list_add_valid.cold+0xf/0x3f\n"
		"Call Trace:\n"
		" <TASK>\n"
		" klogtest_list+0x3c/0x60 [klogtest]\n"
		" klogtest_init+0x4e/0x1000 [klogtest]\n"
		" do_one_initcall+0x5a/0x220\n"
		" </TASK>\n"
		"Modules linked in: klogtest(OE+)\n"
		"---[ end trace 0000000000000000 ]---\n";
	struct klog_parser *p = klog_new();
	const struct klog_report *r;
	char buf[KLOG_LINE_MAX];

	(void)state;
	/* CONFIG_BUG_ON_DATA_CORRUPTION (Debian): the message, then its BUG, one report */
	feed_ts(p, add_bug);
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_LIST_CORRUPTION);
	assert_string_equal(r->title, "BUG: corrupted list in klogtest_list");
	assert_int_equal(r->nlines, 14);
	assert_string_equal(last_line(r, buf, sizeof(buf)), "---[ end trace 0000000000000000 ]---");
	assert_int_equal(total(p), 1);
	klog_free(p);
	/* without it: a WARN after the message */
	expect_report("list_del corruption. prev->next should be ffff9e3f43b1c2a0, but was ffff9e3f43b1c000. (prev=ffff9e3f43b1c000)\n"
		      "WARNING: CPU: 1 PID: 7 at lib/list_debug.c:62 __list_del_entry_valid_or_report+0xb3/0xd0\n"
		      "RIP: 0010:__list_del_entry_valid_or_report+0xb3/0xd0\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " foo_remove+0x21/0x90 [foo]\n"
		      " </TASK>\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_LIST_CORRUPTION, "BUG: corrupted list in foo_remove", 8);
	expect_report("list_del corruption, ffff9e3f43b1c2a0->next is LIST_POISON1 (dead000000000100)\n",
		      KLOG_LIST_CORRUPTION, "BUG: corrupted list", 1);
	expect_report("list_add double add: new=ffff9e3f43b1c2a0, prev=ffff9e3f43b1c2a0, next=ffff9e3f43b1c000.\n",
		      KLOG_LIST_CORRUPTION, "BUG: corrupted list", 1);
	/* the BUG alone (its message lost) */
	expect_report("kernel BUG at lib/list_debug.c:54!\n"
		      "invalid opcode: 0000 [#1] PREEMPT SMP NOPTI\n"
		      "RIP: 0010:__list_del_entry_valid.cold+0x1d/0x47\n"
		      "Call Trace:\n"
		      " bar_close+0x31/0x50 [bar]\n"
		      "---[ end trace 0000000000000000 ]---\n",
		      KLOG_LIST_CORRUPTION, "BUG: corrupted list in bar_close", 6);
	/* not the kernel's */
	p = klog_new();
	feed_ts(p, "mylist_add corruption. x\nlist_del corruption detected by my tool\n");
	assert_int_equal(total(p), 0);
	klog_free(p);
}

static void test_netdev_unregister(void **state)
{
	struct klog_parser *p = klog_new();
	const struct klog_report *r;

	(void)state;
	/* printed again every netdev_unregister_timeout_secs: one title, counted each time */
	feed_ts(p, "unregister_netdevice: waiting for klogtest0 to become free. Usage count = 2\n"
		   "klogtest: still holding klogtest0\n"
		   "unregister_netdevice: waiting for klogtest0 to become free. Usage count = 2\n");
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_NETDEV_UNREGISTER);
	assert_string_equal(r->title, "unregister_netdevice: waiting for klogtest0 to become free");
	assert_int_equal(r->nlines, 1);
	assert_int_equal(r->count, 2);
	assert_int_equal(r->line, 1);
	assert_int_equal(klog_count(p, KLOG_NETDEV_UNREGISTER), 2);
	assert_int_equal(klog_failing(p), 2);
	assert_int_equal(klog_nreports(p), 1);
	klog_free(p);
	p = klog_new();
	feed_ts(p, "unregister_netdevice: waiting for a long sentence to become free. Usage count = 2\n"
		   "unregister_netdevice: waiting for eth0 to become free. Usage count = x\n");
	assert_int_equal(total(p), 0);
	klog_free(p);
}

static void test_nonstatic_key(void **state)
{
	(void)state;
	expect_report("INFO: trying to register non-static key.\n"
		      "The code is fine but needs lockdep annotation, or maybe\n"
		      "you didn't initialize this object before use?\n"
		      "turning off the locking correctness validator.\n"
		      "CPU: 0 PID: 123 Comm: insmod Tainted: G           OE      6.1.0 #1\n"
		      "Call Trace:\n"
		      " <TASK>\n"
		      " dump_stack_lvl+0x44/0x5c\n"
		      " register_lock_class+0x46b/0x480\n"
		      " __lock_acquire+0x61/0x1d80\n"
		      " lock_acquire+0xc8/0x2f0\n"
		      " _raw_spin_lock_irqsave+0x3d/0x60\n"
		      " foo_start+0x1c/0x60 [foo]\n"
		      " </TASK>\n",
		      KLOG_LOCKDEP, "INFO: trying to register non-static key in foo_start", 14);
}

/* A report still open when the console ends is complete at klog_finish. */
static void test_finish(void **state)
{
	struct klog_parser *p = klog_new();
	const struct klog_report *r;

	(void)state;
	feed_ts(p, "INFO: task insmod:123 blocked for more than 2 seconds.\n"
		   "Call Trace:\n"
		   " <TASK>\n"
		   " klogtest_hang+0x2e/0x50 [klogtest]\n");
	assert_int_equal(klog_nreports(p), 0);
	assert_null(klog_first(p));
	klog_finish(p);
	r = klog_first(p);
	assert_non_null(r);
	assert_string_equal(r->title, "INFO: task hung in klogtest_hang");
	assert_int_equal(r->nlines, 4);
	klog_finish(p);
	assert_int_equal(klog_nreports(p), 1);
	assert_int_equal(klog_failing(p), 1);
	klog_free(p);
	klog_finish(NULL);
	klog_feed(NULL, "x");
	assert_null(klog_first(NULL));
	assert_int_equal(klog_nreports(NULL), 0);
}

/* Two tasks, the same title: the earlier report is the one kept, whichever ends first. */
static void test_same_title_order(void **state)
{
	struct klog_parser *p = klog_new();
	const struct klog_report *r;

	(void)state;
	feed_as(p, "T1", "WARNING: CPU: 0 PID: 1 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n"
			 "CPU: 0 PID: 1 Comm: first\n");
	feed_as(p, "T2", "WARNING: CPU: 1 PID: 2 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n"
			 "CPU: 1 PID: 2 Comm: second\n"
			 "---[ end trace 0000000000000000 ]---\n");
	assert_int_equal(klog_nreports(p), 1);
	assert_non_null(strstr(klog_first(p)->text, "second"));
	feed_as(p, "T1", "---[ end trace 0000000000000000 ]---\n");
	r = first(p);
	assert_int_equal(klog_nreports(p), 1);
	assert_int_equal(r->count, 2);
	assert_int_equal(r->line, 1);
	assert_non_null(strstr(r->text, "first"));
	assert_null(strstr(r->text, "second"));
	klog_free(p);
}

/* Past KLOG_REPORTS_MAX titles reports are counted, not listed. */
static void test_unlisted(void **state)
{
	struct klog_parser *p = klog_new();
	char line[160];

	(void)state;
	for (int i = 0; i < KLOG_REPORTS_MAX + 5; i++) {
		snprintf(line, sizeof(line), "BUG: Bad rss-counter state mm:%d type:MM_ANONPAGES val:1\n", i);
		feed_ts(p, line);
	}
	klog_finish(p);
	assert_int_equal(klog_nreports(p), KLOG_REPORTS_MAX);
	assert_int_equal(klog_unlisted(p), 5);
	assert_int_equal(klog_failing(p), KLOG_REPORTS_MAX + 5);
	assert_int_equal(klog_count(p, KLOG_BUG), KLOG_REPORTS_MAX + 5);
	assert_int_equal(klog_report_at(p, KLOG_REPORTS_MAX - 1)->line, KLOG_REPORTS_MAX);
	klog_free(p);
}

static void test_ignore(void **state)
{
	struct klog_parser *p;
	const struct klog_report *r;
	char pat[16];

	(void)state;
	p = klog_new();
	assert_int_equal(klog_ignore(p, ""), -EINVAL);
	assert_int_equal(klog_ignore(p, NULL), -EINVAL);
	/* the title, as a glob */
	assert_int_equal(klog_ignore(p, "WARNING in foo_*"), 0);
	/* or the first line */
	assert_int_equal(klog_ignore(p, "*soft lockup - CPU#? stuck*"), 0);
	feed_ts(p, warn_module);
	feed_ts(p, soft_lockup);
	klog_finish(p);
	assert_null(klog_first(p));
	assert_int_equal(klog_failing(p), 0);
	assert_int_equal(klog_nreports(p), 2);
	/* accepted reports are kept, with the pattern that accepted them */
	assert_string_equal(klog_report_at(p, 0)->ignored_by, "WARNING in foo_*");
	assert_string_equal(klog_report_at(p, 1)->ignored_by, "*soft lockup - CPU#? stuck*");
	assert_int_equal(klog_count(p, KLOG_WARNING), 1);
	/* the next report no pattern accepts is the first one */
	feed_ts(p, kasan_oob);
	r = first(p);
	assert_non_null(r);
	assert_int_equal(r->cls, KLOG_KASAN);
	assert_null(r->ignored_by);
	assert_int_equal(klog_failing(p), 1);
	klog_free(p);

	/* a glob matches the whole title: "WARNING" alone accepts nothing */
	p = klog_new();
	assert_int_equal(klog_ignore(p, "WARNING"), 0);
	assert_int_equal(klog_ignore(p, "foo_probe"), 0);
	feed_ts(p, warn_module);
	assert_non_null(first(p));
	klog_free(p);

	p = klog_new();
	for (int i = 0; i < KLOG_IGNORE_MAX; i++) {
		snprintf(pat, sizeof(pat), "x%d*", i);
		assert_int_equal(klog_ignore(p, pat), 0);
	}
	assert_int_equal(klog_ignore(p, "*"), -ENOSPC);
	klog_free(p);
	/* "*" accepts everything */
	p = klog_new();
	assert_int_equal(klog_ignore(p, "*"), 0);
	feed_ts(p, warn_module);
	feed_ts(p, kasan_oob);
	assert_null(first(p));
	assert_int_equal(total(p), 2);
	assert_int_equal(klog_nreports(p), 2);
	klog_free(p);
	assert_string_equal(klog_class_name(KLOG_RCU_STALL), "rcu-stall");
	assert_string_equal(klog_class_name(KLOG_NETDEV_UNREGISTER), "netdev-unregister");
	assert_null(klog_class_name(KLOG_NCLASSES));
	for (unsigned int c = 0; c < KLOG_NCLASSES; c++)
		assert_non_null(klog_class_name(c));
}

static char *json_of(const struct klog_parser *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	klog_print_json(p, f);
	fclose(f);
	return buf;
}

static void test_json(void **state)
{
	struct klog_parser *p = klog_new();
	char *buf;

	(void)state;
	buf = json_of(p);
	assert_string_equal(buf, "{\"reports\": 0, \"failing\": 0, \"classes\": {}, \"titles\": []}");
	free(buf);
	assert_int_equal(klog_ignore(p, "BUG: soft lockup*"), 0);
	feed_ts(p, warn_module);
	feed_ts(p, warn_module);
	feed_ts(p, soft_lockup);
	/* a title with a quote and a byte that is no UTF-8 */
	feed_ts(p, "BUG: \"odd\" \xff name\n");
	klog_finish(p);
	buf = json_of(p);
	assert_string_equal(buf,
		"{\"reports\": 4, \"failing\": 3, \"classes\": {\"soft-lockup\": 1, \"warning\": 2, \"bug\": 1}, \"titles\": ["
		"{\"title\": \"WARNING in foo_probe\", \"class\": \"warning\", \"count\": 2, \"line\": 2, \"ignored\": false}, "
		"{\"title\": \"BUG: soft lockup in klogtest_init\", \"class\": \"soft-lockup\", \"count\": 1, \"line\": 73, \"ignored\": true}, "
		"{\"title\": \"BUG: \\\"odd\\\" \xef\xbf\xbd name\", \"class\": \"bug\", \"count\": 1, \"line\": 93, \"ignored\": false}]}");
	free(buf);
	klog_free(p);
	buf = json_of(NULL);
	assert_string_equal(buf, "{\"reports\": 0, \"failing\": 0, \"classes\": {}, \"titles\": []}");
	free(buf);
}

static void test_verdict_line(void **state)
{
	struct klog_parser *p = klog_new();
	char out[1024];

	(void)state;
	assert_false(klog_verdict_line(p, out, sizeof(out)));
	klog_feed(p, "[    3.000000] foo: probing");
	klog_feed(p, "[    3.100000] WARNING: CPU: 0 PID: 9 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]");
	klog_feed(p, "[    3.100001] ---[ end trace 0000000000000000 ]---");
	assert_true(klog_verdict_line(p, out, sizeof(out)));
	assert_string_equal(out,
		"guest kernel reported WARNING in foo_probe at console line 2: [    3.100000] WARNING: CPU: 0 PID: 9 at "
		"drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo] (--klog-ignore 'WARNING in foo_probe' accepts it)");
	/* more reports are counted; glob characters and quotes in the title are escaped for the hint */
	klog_feed(p, "[    4.000000] BUG: it's [odd] *really*?");
	klog_feed(p, "[    4.100000] unregister_netdevice: waiting for eth0 to become free. Usage count = 3");
	klog_finish(p);
	assert_true(klog_verdict_line(p, out, sizeof(out)));
	assert_non_null(strstr(out, "accepts it; 2 more reports)"));
	klog_free(p);

	p = klog_new();
	klog_feed(p, "[    4.000000] BUG: it's [odd] *really*?");
	klog_finish(p);
	assert_true(klog_verdict_line(p, out, sizeof(out)));
	assert_non_null(strstr(out, "(--klog-ignore 'BUG: it'\\''s \\[odd] \\*really\\*\\?' accepts it)"));
	/* the suggested pattern, unquoted by sh, accepts that very report */
	assert_int_equal(klog_ignore(p, "BUG: it's \\[odd] \\*really\\*\\?"), 0);
	klog_feed(p, "[    5.000000] BUG: it's [odd] *really*?");
	klog_finish(p);
	assert_int_equal(klog_failing(p), 1);
	assert_int_equal(klog_report_at(p, 0)->count, 2);
	klog_free(p);
	/* small buffers are cut, not overrun */
	p = klog_new();
	feed_ts(p, warn_module);
	klog_finish(p);
	assert_true(klog_verdict_line(p, out, 16));
	assert_int_equal(strlen(out), 15);
	klog_free(p);
}

static void test_print_report(void **state)
{
	struct klog_parser *p = klog_new();
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	klog_feed(p, "[    3.100000] WARNING: CPU: 0 PID: 9 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]");
	klog_feed(p, "[    3.100001] Modules linked in: foo");
	klog_feed(p, "[    3.100002] ---[ end trace 0000000000000000 ]---");
	klog_finish(p);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	klog_print_report(klog_first(p), "  | ", f);
	fclose(f);
	assert_string_equal(buf, "  | WARNING: CPU: 0 PID: 9 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]\n"
				 "  | Modules linked in: foo\n"
				 "  | ---[ end trace 0000000000000000 ]---\n");
	free(buf);
	klog_free(p);

	/* a report longer than what is kept says so */
	p = klog_new();
	klog_feed(p, "[    3.100000] WARNING: CPU: 0 PID: 9 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]");
	for (int i = 0; i < KLOG_KEEP_LINES + 5; i++)
		klog_feed(p, "[    3.100001]  foo_probe+0x12/0x40 [foo]");
	klog_feed(p, "[    3.100002] ---[ end trace 0000000000000000 ]---");
	klog_finish(p);
	assert_true(klog_first(p)->truncated);
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	klog_print_report(klog_first(p), "", f);
	fclose(f);
	assert_non_null(strstr(buf, "(more lines than the 80 kept; the console has them all)\n"));
	free(buf);
	klog_free(p);
}

static void test_junit_cases(void **state)
{
	struct klog_parser *p = klog_new();
	struct junit_extra *x;
	size_t n;

	(void)state;
	assert_int_equal(klog_junit_cases(p, "kernel log", &x, &n), 0);
	assert_null(x);
	assert_int_equal(n, 0);
	assert_int_equal(klog_ignore(p, "BUG: soft lockup in *"), 0);
	feed_ts(p, warn_module);
	feed_ts(p, soft_lockup);
	feed_ts(p, warn_module);
	klog_finish(p);
	assert_int_equal(klog_junit_cases(p, "kernel log", &x, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(x[0].suite, "kernel log");
	assert_string_equal(x[0].name, "WARNING in foo_probe");
	assert_false(x[0].skipped);
	assert_non_null(strstr(x[0].message, "2 times, the first at console line 2: ["));
	assert_non_null(strstr(x[0].message, "] WARNING: CPU: 1 PID: 123 at drivers/net/foo.c:42 foo_probe+0x12/0x40 [foo]"));
	assert_ptr_equal(x[0].text, klog_report_at(p, 0)->text);
	assert_string_equal(x[1].name, "BUG: soft lockup in klogtest_init");
	assert_true(x[1].skipped);
	assert_null(x[1].text);
	{
		static const char want[] = "accepted by --klog-ignore 'BUG: soft lockup in *'; console line 37: [";

		assert_true(!strncmp(x[1].message, want, strlen(want)));
	}
	klog_junit_cases_free(x, n);
	klog_junit_cases_free(NULL, 0);
	klog_free(p);
}

static void test_helpers(void **state)
{
	char out[64];

	(void)state;
	assert_non_null(klog_func_at("foo_probe+0x12/0x40 [foo]", out, sizeof(out)));
	assert_string_equal(out, "foo_probe");
	assert_non_null(klog_func_at("foo.isra.0+0x1/0x2", out, sizeof(out)));
	assert_string_equal(out, "foo");
	assert_null(klog_func_at("foo.c:12", out, sizeof(out)));
	assert_null(klog_func_at("0xffffffffc0a10000", out, sizeof(out)));
	assert_null(klog_func_at("foo+0xzz", out, sizeof(out)));
	assert_non_null(klog_src_at("drivers/net/foo.c:42 x", out, sizeof(out)));
	assert_string_equal(out, "drivers/net/foo.c:42");
	assert_null(klog_src_at("foo:42", out, sizeof(out)));
	assert_null(klog_src_at("foo.C:42", out, sizeof(out)));
	assert_null(klog_src_at("foo.c:x", out, sizeof(out)));
	assert_int_equal(klog_match("WARNING: CPU: 1 PID: 2 at a.c:1 f+0x1/0x2"), KK_WARN);
	assert_int_equal(klog_match("WARNING: CPU: 1 PID: 2 at"), KK_NONE);
	assert_int_equal(klog_match("WARNING: CPU: x PID: 2 at a.c:1 f+0x1/0x2"), KK_NONE);
	assert_true(klog_is_panic("Kernel panic - not syncing: Fatal exception"));
	/* every kind has a title, even from its header alone */
	for (unsigned int k = 0; k < KK_NKINDS; k++) {
		klog_title(k, "", out, sizeof(out));
		klog_title(k, "x\n", out, sizeof(out));
		assert_true(strlen(out) < sizeof(out));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warning_module),
		cmocka_unit_test(test_warning_builtin_and_formats),
		cmocka_unit_test(test_warning_second_header_without_at),
		cmocka_unit_test(test_soft_lockup),
		cmocka_unit_test(test_hard_lockup),
		cmocka_unit_test(test_rcu_stall),
		cmocka_unit_test(test_hung_task),
		cmocka_unit_test(test_bug_null_deref),
		cmocka_unit_test(test_bug_other_formats),
		cmocka_unit_test(test_kasan),
		cmocka_unit_test(test_ubsan),
		cmocka_unit_test(test_kcsan_kfence_kmsan),
		cmocka_unit_test(test_oopses),
		cmocka_unit_test(test_lockdep),
		cmocka_unit_test(test_netdev_watchdog),
		cmocka_unit_test(test_irq_nobody_cared),
		cmocka_unit_test(test_false_positives),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_report_boundaries),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_list_corruption),
		cmocka_unit_test(test_netdev_unregister),
		cmocka_unit_test(test_nonstatic_key),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_same_title_order),
		cmocka_unit_test(test_unlisted),
		cmocka_unit_test(test_ignore),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_verdict_line),
		cmocka_unit_test(test_print_report),
		cmocka_unit_test(test_junit_cases),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
