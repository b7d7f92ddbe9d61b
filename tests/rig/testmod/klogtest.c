// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rig's test module (not part of minivmm): loaded with a mode, it
 * makes the guest kernel report a real bug of that kind, so that the
 * end-to-end tests of minivmm's kernel-log verdicts
 * (tests/rig/scenarios/klog.sh) see what the kernel itself prints.
 * Debian's kernel has no lkdtm or test_lockup; build.sh builds this
 * against its linux-headers package.
 *
 *   mode=none            nothing: a clean load
 *   mode=warn            one WARN_ON, then the module loads
 *   mode=lockup secs=N   ask for an RCU grace period, then spin N seconds
 *                        with preemption off (interrupts on): a soft
 *                        lockup once N exceeds twice kernel.watchdog_thresh,
 *                        an RCU stall once it exceeds
 *                        rcupdate.rcu_cpu_stall_timeout (with a second CPU
 *                        for the grace-period kthread)
 *   mode=hang secs=N     sleep N seconds uninterruptibly in the init
 *                        function: a hung task once N exceeds
 *                        kernel.hung_task_timeout_secs (twice, to be seen)
 *   mode=netdev secs=N   register a netdev klogtestN, take a reference,
 *                        unregister it, and drop the reference N seconds
 *                        later: "unregister_netdevice: waiting for ..."
 *                        every net.core.netdev_unregister_timeout_secs
 *   mode=list            list_add onto a list whose next->prev is
 *                        corrupt: CONFIG_DEBUG_LIST reports it (with
 *                        CONFIG_BUG_ON_DATA_CORRUPTION, as Debian, a BUG:
 *                        the oops kills insmod, the module stays loading)
 * Any mode then prints "klogtest: mode=MODE done" (list: never).
 */
#include <linux/bug.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

static char *mode = "none";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "none, warn, lockup, hang, netdev or list");

static unsigned int secs = 10;
module_param(secs, uint, 0444);
MODULE_PARM_DESC(secs, "how long lockup spins, hang sleeps, netdev holds its reference (seconds)");

static noinline void klogtest_warn(void)
{
	WARN_ON(1);
}

static struct rcu_head klogtest_rcu;

static void klogtest_rcu_done(struct rcu_head *head)
{
}

static noinline void klogtest_spin(unsigned int s)
{
	ktime_t end = ktime_add_ms(ktime_get(), (u64)s * MSEC_PER_SEC);

	/* a grace period this CPU holds up */
	call_rcu(&klogtest_rcu, klogtest_rcu_done);
	preempt_disable();
	while (ktime_before(ktime_get(), end))
		cpu_relax();
	preempt_enable();
}

static noinline void klogtest_hang(unsigned int s)
{
	unsigned long end = jiffies + (unsigned long)s * HZ;

	/* TASK_UNINTERRUPTIBLE and no context switch in between: what khungtaskd looks for */
	while (time_before(jiffies, end)) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_timeout(end - jiffies);
	}
}

static struct net_device *klogtest_dev;
static struct delayed_work klogtest_put_work;

static void klogtest_put(struct work_struct *w)
{
	dev_put(klogtest_dev);
}

static netdev_tx_t klogtest_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops klogtest_ops = {
	.ndo_start_xmit = klogtest_xmit,
};

static noinline int klogtest_netdev(unsigned int s)
{
	int ret;

	klogtest_dev = alloc_netdev(0, "klogtest%d", NET_NAME_ENUM, ether_setup);
	if (!klogtest_dev)
		return -ENOMEM;
	klogtest_dev->netdev_ops = &klogtest_ops;
	eth_hw_addr_random(klogtest_dev);
	ret = register_netdev(klogtest_dev);
	if (ret) {
		free_netdev(klogtest_dev);
		return ret;
	}
	/* the leak a driver's error path makes: a reference nobody drops in time */
	dev_hold(klogtest_dev);
	INIT_DELAYED_WORK(&klogtest_put_work, klogtest_put);
	schedule_delayed_work(&klogtest_put_work, (unsigned long)s * HZ);
	unregister_netdev(klogtest_dev); /* waits for the reference */
	free_netdev(klogtest_dev);
	klogtest_dev = NULL;
	return 0;
}

static LIST_HEAD(klogtest_list_head);
static struct list_head klogtest_a, klogtest_b;

static noinline void klogtest_list(void)
{
	list_add(&klogtest_a, &klogtest_list_head);
	/* a stray write over the entry's back pointer */
	WRITE_ONCE(klogtest_a.prev, NULL);
	list_add(&klogtest_b, &klogtest_list_head);
}

static int __init klogtest_init(void)
{
	int ret = 0;

	if (!strcmp(mode, "warn"))
		klogtest_warn();
	else if (!strcmp(mode, "lockup"))
		klogtest_spin(secs);
	else if (!strcmp(mode, "hang"))
		klogtest_hang(secs);
	else if (!strcmp(mode, "netdev"))
		ret = klogtest_netdev(secs);
	else if (!strcmp(mode, "list"))
		klogtest_list();
	else if (strcmp(mode, "none"))
		return -EINVAL;
	if (ret)
		return ret;
	pr_info("klogtest: mode=%s done\n", mode);
	return 0;
}

static void __exit klogtest_exit(void)
{
	if (!strcmp(mode, "lockup"))
		rcu_barrier(); /* klogtest_rcu_done is this module's */
}

module_init(klogtest_init);
module_exit(klogtest_exit);
MODULE_DESCRIPTION("minivmm rig: make the kernel report a WARNING, lockup, stall, hung task, netdev leak or list corruption");
MODULE_LICENSE("GPL");
