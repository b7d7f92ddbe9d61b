/* SPDX-License-Identifier: GPL-2.0-only */
/* A module no test device matches: must stay out of the initramfs. */
__attribute__((used, section(".modinfo"))) static const char modinfo[] =
	"alias=pci:v0000AAAAd0000BBBBsv*sd*bc*sc*i*\0license=GPL";
