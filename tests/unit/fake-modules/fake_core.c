/* SPDX-License-Identifier: GPL-2.0-only */
/* A fake kernel module for test_initramfs: exports one symbol. depmod reads
 * exported names from __ksymtab_strings and aliases from .modinfo. */
int fake_core_fn(void)
{
	return 1;
}

__attribute__((used, section("__ksymtab_strings"))) static const char ksymtab[] = "fake_core_fn";
__attribute__((used, section(".modinfo"))) static const char modinfo[] = "license=GPL";
