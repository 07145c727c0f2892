/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which device is the host's console. sysfs.c reads boot_vga; here the rest: the firmware
 * framebuffer's device (framebuffer.h), and at run time, once a GPU driver has replaced the
 * firmware framebuffer, the device whose framebuffer fbcon draws on. When the firmware
 * framebuffer cannot be located, display controllers without boot_vga are marked
 * console_unknown: the planner then takes them only when selected by address.
 */
#pragma once

#include "device.h"

void console_mark(struct device_list *devs);
