/* SPDX-License-Identifier: GPL-2.0-only */
/* A fake driver module: its PCI alias matches vendor 0x1234 device 0x5678,
 * and it uses fake_core's symbol, so depmod makes it depend on fake_core. */
extern int fake_core_fn(void);

int fake_drv_probe(void)
{
	return fake_core_fn();
}

__attribute__((used, section(".modinfo"))) static const char modinfo[] =
	"alias=pci:v00001234d00005678sv*sd*bc*sc*i*\0license=GPL";
