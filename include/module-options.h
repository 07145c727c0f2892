/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel module's parameter string ("disable_vga=1 ids=1002:744c"), read the way the
 * kernel's own parser (next_arg) splits it. Pure: no I/O.
 */
#pragma once

/*
 * Splits options into the parameters kept and the ids= ones taken out, each a heap string
 * ("" when empty; words joined by one space), or -ENOMEM with neither set. A word ends at
 * white space outside double quotes, so a quoted value with spaces stays one word, and an
 * unclosed quote runs to the end, as the kernel reads it. ids is taken out however it is
 * written: ids=..., "ids=...", a bare ids.
 */
int module_options_split(const char *options, char **ret_keep, char **ret_ids);

/*
 * The values of the ids= parameters in options, read as module_options_split() finds them
 * and with the quotes the kernel removes removed ("\"ids=1:2\"", ids="1:2"), comma-joined
 * into a heap string ("" when none), or NULL when out of memory: the IDs the load drops are
 * the IDs claimed instead.
 */
char *module_options_ids(const char *options);
