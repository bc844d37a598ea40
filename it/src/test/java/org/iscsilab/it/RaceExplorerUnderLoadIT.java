package org.iscsilab.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The race explorer decides nothing by timers: {@code iscsilab scenario races} prints the same
 * bytes on a quiet machine and with both cores kept busy by {@code stress-ng --cpu 2}.
 */
class RaceExplorerUnderLoadIT {
    private static String races() throws Exception {
        ExternalProgram.Result r =
                ExternalProgram.run(
                        Duration.ofMinutes(5),
                        "java",
                        "-jar",
                        IscsilabJar.path().toString(),
                        "scenario",
                        "races");
        assertEquals(0, r.exitCode(), r.output());
        return r.output();
    }

    @Test
    void theRaceTablesAreByteIdenticalOnAQuietMachineAndWithBothCoresLoaded() throws Exception {
        ExternalProgram.require("stress-ng", "stress-ng");
        String quiet = races();
        Process load =
                new ProcessBuilder("stress-ng", "--cpu", "2", "--timeout", "600s", "--quiet")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        String busy;
        try {
            Thread.sleep(1_000); // the workers are spinning
            assertTrue(load.isAlive(), "stress-ng is loading both cores");
            busy = races();
            assertTrue(load.isAlive(), "stress-ng loaded the cores for the whole run");
        } finally {
            load.destroy();
            load.waitFor();
        }
        assertEquals(quiet, busy);
        for (String race :
                new String[] {
                    "C-block-remove-race",
                    "unblock-remove-race",
                    "module-going-unblock-race",
                    "late-unblock-module-exit-race"
                }) {
            assertTrue(quiet.contains(race + ": every ordering"), quiet);
        }
    }
}
