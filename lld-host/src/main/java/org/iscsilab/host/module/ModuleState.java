package org.iscsilab.host.module;

/**
 * The life of a kernel module (include/linux/module.h): UNFORMED while being set up, COMING while
 * its init routine runs, LIVE, GOING once unload has started (its exit routine runs, its code is
 * still mapped), and UNLOADED once exit returned and the code is gone.
 */
public enum ModuleState {
    UNFORMED,
    COMING,
    LIVE,
    GOING,
    UNLOADED;

    /** module_is_live(): everything but GOING (and, here, a module whose code is gone). */
    public boolean live() {
        return this != GOING && this != UNLOADED;
    }
}
