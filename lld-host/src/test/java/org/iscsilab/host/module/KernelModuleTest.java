package org.iscsilab.host.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Module lifecycle as kernel/module.c has it: try-get, unload refusal and forcing, calls after
 * exit.
 */
class KernelModuleTest {
    private final Violations violations = new Violations();
    private final KernelModule lld = new KernelModule("iscsi_tcp", violations);

    @Test
    void tryGetSucceedsWhileComingOrLiveAndFailsOnceGoing() {
        List<Boolean> duringInit = new ArrayList<>();
        List<Boolean> duringExit = new ArrayList<>();
        lld.load(() -> duringInit.add(lld.tryGet()), () -> duringExit.add(lld.tryGet()));
        assertEquals(List.of(true), duringInit, "COMING");
        assertTrue(lld.tryGet(), "LIVE");
        lld.put();
        lld.put();
        assertDoesNotThrowUnload(false);
        assertEquals(
                List.of(false),
                duringExit,
                "GOING: the exit routine runs with try_module_get failing");
        assertEquals(ModuleState.UNLOADED, lld.state());
        assertFalse(lld.tryGet());
    }

    private void assertDoesNotThrowUnload(boolean force) {
        try {
            lld.unload(force);
        } catch (UnloadRefusedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void unloadIsRefusedWhileReferencedUnlessForced() throws Exception {
        lld.load(() -> {}, () -> {});
        assertTrue(lld.tryGet()); // a session pins the module
        UnloadRefusedException e =
                assertThrows(UnloadRefusedException.class, () -> lld.unload(false));
        assertEquals("EWOULDBLOCK", e.errno());
        assertEquals(ModuleState.LIVE, lld.state(), "a refused unload changes nothing");
        lld.unload(true);
        assertEquals(ModuleState.UNLOADED, lld.state());
        UnloadRefusedException again =
                assertThrows(UnloadRefusedException.class, () -> lld.unload(false));
        assertEquals("EBUSY", again.errno());
    }

    @Test
    void aCallIntoTheModuleAfterItsExitReturnedIsRecordedAsAViolation() throws Exception {
        lld.load(() -> {}, () -> lld.enter("slave_destroy(0:0:0:0)"));
        lld.unload(false);
        assertTrue(violations.isEmpty(), "during exit the code is still mapped");
        lld.enter("queuecommand(0:0:0:0)");
        assertEquals(
                List.of(
                        "queuecommand(0:0:0:0) called into iscsi_tcp after its exit routine returned"),
                violations.all());
    }

    @Test
    void putWithoutAReferenceIsAViolation() {
        lld.load(() -> {}, () -> {});
        lld.put();
        assertEquals(1, violations.all().size());
    }
}
