package org.iscsilab.guest;

import org.iscsilab.host.scenario.Scenario;
import org.iscsilab.host.scenario.ScenarioNames;

/**
 * The scenarios the Linux guest runs on a real kernel, named like the Java host's where they are
 * the same story (B, D, E), so both hosts can be compared side by side.
 */
public enum GuestScenario {
    R(
            "R-freeze-relogin",
            "the target freezes: NOP timeout, blocked, relogin after the thaw, running with data intact",
            "R.sh",
            false),
    B(
            "B-remove-blocked-lun",
            "removing a LUN of a recovering session (sysfs delete), then the session logs in again",
            "B.sh",
            false),
    D(
            "D-logout-while-recovering",
            "logout while the session recovers: the session and its devices are removed",
            "D.sh",
            false),
    E(
            "E-timeout-then-relogin",
            "the replacement timeout takes the device transport-offline, I/O fails fast, "
                    + "a later relogin brings it back to running",
            "E.sh",
            false),
    S(
            "S-stall-removal",
            "SCSI commands and task management stall while NOPs are answered; removing the disk hangs "
                    + "in SYNCHRONIZE CACHE for as long as the stall lasts",
            "S.sh",
            true),
    S2(
            "S2-stall-target-fails-commands",
            "the same stall, but the target ends stuck commands itself with CHECK "
                    + "CONDITION after 3 s: removal finishes",
            "S.sh",
            true);

    private final String id;
    private final String description;
    private final String script;
    private final boolean stall;

    GuestScenario(String id, String description, String script, boolean stall) {
        this.id = id;
        this.description = description;
        this.script = script;
        this.stall = stall;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    String script() {
        return script;
    }

    /** Whether the host stalls commands (S, S2) rather than freezing the connection. */
    boolean stall() {
        return stall;
    }

    /**
     * The Java host's scenario telling the same story, or null for the guest-only ones (R, S, S2).
     */
    public Scenario javaHostScenario() {
        return switch (this) {
            case B -> Scenario.B;
            case D -> Scenario.D;
            case E -> Scenario.E;
            default -> null;
        };
    }

    public static GuestScenario parse(String text) {
        return ScenarioNames.parse(values(), GuestScenario::id, text, "guest scenario", "all");
    }
}
