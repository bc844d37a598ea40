package org.iscsilab.host.module;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A kernel module as the mid-layer sees it (kernel/module.c): a state, a reference count, try-get
 * that fails once unloading started, and an exit routine. Every call into the module's code goes
 * through {@link #enter}, which records a violation when the code is already gone.
 *
 * <p>Unload follows delete_module(): refused with EBUSY unless LIVE; with references left it is
 * refused with EWOULDBLOCK unless forced; otherwise the module goes GOING, its exit routine runs
 * (code still mapped), and then it is UNLOADED. It does not wait for the count to reach zero.
 */
public final class KernelModule {
    private final String name;
    private final Violations violations;
    private final List<BiConsumer<ModuleState, ModuleState>> listeners = new ArrayList<>();
    private ModuleState state = ModuleState.UNFORMED;
    private int references;
    private Runnable exit = () -> {};

    public KernelModule(String name, Violations violations) {
        this.name = name;
        this.violations = violations;
    }

    public String name() {
        return name;
    }

    public synchronized ModuleState state() {
        return state;
    }

    public synchronized int references() {
        return references;
    }

    public synchronized void onStateChange(BiConsumer<ModuleState, ModuleState> listener) {
        listeners.add(listener);
    }

    private void moveTo(ModuleState to) {
        ModuleState from;
        List<BiConsumer<ModuleState, ModuleState>> ls;
        synchronized (this) {
            from = state;
            state = to;
            ls = List.copyOf(listeners);
        }
        ls.forEach(l -> l.accept(from, to));
    }

    /** insmod: COMING while {@code init} runs, then LIVE; {@code exit} is what unload will run. */
    public void load(Runnable init, Runnable exitRoutine) {
        synchronized (this) {
            if (state != ModuleState.UNFORMED) {
                throw new IllegalStateException(name + " is already " + state);
            }
            this.exit = exitRoutine;
        }
        moveTo(ModuleState.COMING);
        init.run();
        moveTo(ModuleState.LIVE);
    }

    /** try_module_get(): succeeds in COMING and LIVE, fails once GOING. */
    public synchronized boolean tryGet() {
        if (!state.live() || state == ModuleState.UNFORMED) {
            return false;
        }
        references++;
        return true;
    }

    /** __module_get(): the caller already holds a reference, so it always succeeds. */
    public synchronized void get() {
        if (references == 0) {
            violations.record("__module_get(" + name + ") without a reference held");
        }
        references++;
    }

    /** module_put(). */
    public synchronized void put() {
        if (references == 0) {
            violations.record("module_put(" + name + ") with no reference held");
            return;
        }
        references--;
    }

    /**
     * rmmod: see the class comment. Returns when the exit routine has returned, so a hang in exit
     * (the bug this project reproduces) keeps this call from returning. An exit routine that hits
     * BUG() throws {@link KernelBug}: the rmmod task dies in it and the module stays GOING for
     * good.
     */
    public void unload(boolean force) throws UnloadRefusedException {
        synchronized (this) {
            if (state != ModuleState.LIVE) {
                throw new UnloadRefusedException("EBUSY", name + " is " + state + ", not LIVE");
            }
            if (references > 0 && !force) {
                throw new UnloadRefusedException(
                        "EWOULDBLOCK",
                        name
                                + " is in use ("
                                + references
                                + " references); a forced unload would go ahead");
            }
        }
        moveTo(ModuleState.GOING);
        exit.run();
        moveTo(ModuleState.UNLOADED);
    }

    /**
     * Marks a call into this module's code (queuecommand, error handler, slave_destroy, transport
     * hooks): after the exit routine returned that is a use-after-free, recorded as a violation.
     */
    public void enter(String what) {
        if (state() == ModuleState.UNLOADED) {
            violations.record(what + " called into " + name + " after its exit routine returned");
        }
    }

    @Override
    public String toString() {
        return name + " (" + state() + ", refs " + references() + ")";
    }
}
