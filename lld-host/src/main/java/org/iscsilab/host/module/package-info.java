/**
 * Kernel-module lifecycle with reference counts (try_module_get/module_put), for the LLD-unload
 * race.
 */
package org.iscsilab.host.module;
