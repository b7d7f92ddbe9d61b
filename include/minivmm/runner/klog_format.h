/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the kernel-log parser (klog.h): which kernel report format a line
 * opens (klog_match.c), and the title of a report from its lines
 * (klog_title.c). Pure string functions.
 */
#ifndef MINIVMM_RUNNER_KLOG_FORMAT_H
#define MINIVMM_RUNNER_KLOG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "minivmm/runner/klog.h"

/* The kernel formats a report can start with. */
enum klog_kind {
	KK_NONE,
	KK_RCU_STALL,         /* rcu: INFO: rcu_sched self-detected stall on CPU */
	KK_SOFT_LOCKUP,       /* watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [x:1] */
	KK_HARD_LOCKUP,       /* NMI watchdog: Watchdog detected hard LOCKUP on cpu 1 */
	KK_HUNG_TASK,         /* INFO: task foo:123 blocked for more than 120 seconds. */
	KK_WARN,              /* WARNING: CPU: 1 PID: 123 at file.c:42 func+0x1/0x2 */
	KK_WARN_NETDEV,       /* the same, from dev_watchdog (NETDEV WATCHDOG's WARN_ONCE) */
	KK_DEADLOCK,          /* WARNING: possible circular locking dependency detected */
	KK_INCONSISTENT,      /* WARNING: inconsistent lock state */
	KK_RCU_USAGE,         /* WARNING: suspicious RCU usage */
	KK_LOCK_MISUSE,       /* WARNING: bad unlock balance detected!, held lock freed!, ... */
	KK_STACK_REGS,        /* WARNING: kernel stack regs at ... has bad 'bp' value */
	KK_STACK_FP,          /* WARNING: kernel stack frame pointer at ... has bad value */
	KK_BUG_NULL,          /* BUG: kernel NULL pointer dereference, address: 0 */
	KK_BUG_PAGING,        /* BUG: unable to handle page fault for address: ... */
	KK_BUG_ATOMIC,        /* BUG: scheduling while atomic: foo/1/0x00000002 */
	KK_BUG_SLEEP,         /* BUG: sleeping function called from invalid context at ... */
	KK_BUG_PREEMPT,       /* BUG: using smp_processor_id() in preemptible [..] code: */
	KK_BUG_SPINLOCK,      /* BUG: spinlock lockup suspected on CPU#0, ... */
	KK_BUG_WQ_LOCKUP,     /* BUG: workqueue lockup - pool ... */
	KK_BUG_BAD_PAGE,      /* BUG: Bad page state in process ... */
	KK_BUG_GUARD,         /* BUG: stack guard page was hit at ... */
	KK_BUG_WAIT_CTX,      /* BUG: Invalid wait context */
	KK_BUG_OTHER,         /* BUG: anything else */
	KK_KASAN,             /* BUG: KASAN: slab-out-of-bounds in func+0x1/0x2 */
	KK_KCSAN,             /* BUG: KCSAN: data-race in a / b */
	KK_KMSAN,             /* BUG: KMSAN: uninit-value in func+0x1/0x2 */
	KK_KFENCE,            /* BUG: KFENCE: out-of-bounds read in func+0x1/0x2 */
	KK_UBSAN,             /* UBSAN: array-index-out-of-bounds in file.c:12:5 */
	KK_GPF,               /* general protection fault, probably for ...: 0000 [#1] */
	KK_KERNEL_BUG,        /* kernel BUG at drivers/foo.c:12! */
	KK_LIST_BUG,          /* kernel BUG at lib/list_debug.c:NN! (its message did not show) */
	KK_LIST_CORRUPT,      /* list_add corruption. next->prev should be ..., then that BUG or a WARN */
	KK_DIVIDE,            /* divide error: 0000 [#1] */
	KK_INVALID_OPCODE,    /* invalid opcode: 0000 [#1] (follows kernel BUG at) */
	KK_STACK_SEGMENT,     /* stack segment: 0000 [#1] */
	KK_INT3,              /* int3: 0000 [#1] */
	KK_DOUBLE_FAULT,      /* PANIC: double fault, error_code: 0x0 */
	KK_ARM_UNABLE,        /* Unable to handle kernel NULL pointer dereference at ... */
	KK_ARM_INTERNAL,      /* Internal error: Oops: ... */
	KK_NETDEV,            /* NETDEV WATCHDOG: eth0 (e1000e): transmit queue 0 timed out */
	KK_NOBODY_CARED,      /* irq 11: nobody cared (try booting with the "irqpoll" option) */
	KK_NETDEV_UNREGISTER, /* unregister_netdevice: waiting for eth0 to become free. Usage count = 2 */
	KK_NONSTATIC_KEY,     /* INFO: trying to register non-static key. (lockdep) */
	KK_NKINDS
};

/* How a report of a kind ends (besides the next report, a panic and the caps). */
enum klog_end {
	KE_TRACE,             /* "---[ end trace ...]---": WARN and oopses */
	KE_BRACKET,           /* the closing "=====" line of a sanitizer report */
	KE_STACK,             /* the first "</TASK>": reports that dump one stack */
	KE_IRQ_DISABLED,      /* "Disabling IRQ #N" after the handler list */
	KE_LINE,              /* the header line is the whole report */
};

struct klog_kind_info {
	enum klog_class cls;
	enum klog_end end;
	/*
	 * Printed first and followed by a WARN or kernel BUG of its own
	 * (NETDEV WATCHDOG, some hard lockups, list corruption).
	 */
	bool message_first;
	/* Within another report (e.g. "invalid opcode" after "kernel BUG at"), not a new one. */
	bool follows_other;
	/* Only counts on a line with the kernel's console prefix: no kernel format to check. */
	bool needs_prefix;
};

extern const struct klog_kind_info klog_kinds[KK_NKINDS];

/* The report format @msg (a console line without its prefix) starts, or KK_NONE. */
enum klog_kind klog_match(const char *msg);
/* "Kernel panic - not syncing": a panic, which ends any report. */
bool klog_is_panic(const char *msg);

/* The title of a report of @kind whose lines are @text (first line: the header). */
void klog_title(enum klog_kind kind, const char *text, char *out, size_t outlen);

/*
 * "func+0x1/0x2" or "func.cold+0x1/0x2" at @s: copies "func" into @out and
 * returns the text after it, else NULL (nothing written).
 */
const char *klog_func_at(const char *s, char *out, size_t outlen);
/* "drivers/net/foo.c:42" at @s: returns the text after it, else NULL. */
const char *klog_src_at(const char *s, char *out, size_t outlen);

#endif
