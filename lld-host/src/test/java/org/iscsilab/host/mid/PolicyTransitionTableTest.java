package org.iscsilab.host.mid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every cell of scsi_device_set_state()'s table, legal and illegal, for each modelled kernel: the
 * expectations are written out here from the §2 table of docs/linux-midlayer.md, independently of
 * Policy.
 */
class PolicyTransitionTableTest {
    /** "NEW <- OLD OLD ..." rows of K411 (= K412). */
    private static final List<String> K411 =
            List.of(
                    "CREATED <- CREATED_BLOCK",
                    "RUNNING <- CREATED OFFLINE TRANSPORT_OFFLINE QUIESCE BLOCK",
                    "QUIESCE <- RUNNING OFFLINE TRANSPORT_OFFLINE",
                    "OFFLINE <- CREATED RUNNING QUIESCE BLOCK",
                    "TRANSPORT_OFFLINE <- CREATED RUNNING QUIESCE BLOCK",
                    "BLOCK <- RUNNING CREATED_BLOCK",
                    "CREATED_BLOCK <- CREATED",
                    "CANCEL <- CREATED RUNNING QUIESCE OFFLINE TRANSPORT_OFFLINE BLOCK",
                    "DEL <- CREATED RUNNING OFFLINE TRANSPORT_OFFLINE CANCEL CREATED_BLOCK",
                    "CANCEL_BLOCK <-");

    /** v4.13 to v4.19: BLOCK->CANCEL removed, BLOCK->DEL added. */
    private static final List<String> K413 =
            List.of(
                    "CREATED <- CREATED_BLOCK",
                    "RUNNING <- CREATED OFFLINE TRANSPORT_OFFLINE QUIESCE BLOCK",
                    "QUIESCE <- RUNNING OFFLINE TRANSPORT_OFFLINE",
                    "OFFLINE <- CREATED RUNNING QUIESCE BLOCK",
                    "TRANSPORT_OFFLINE <- CREATED RUNNING QUIESCE BLOCK",
                    "BLOCK <- RUNNING CREATED_BLOCK",
                    "CREATED_BLOCK <- CREATED",
                    "CANCEL <- CREATED RUNNING QUIESCE OFFLINE TRANSPORT_OFFLINE",
                    "DEL <- CREATED RUNNING OFFLINE TRANSPORT_OFFLINE CANCEL CREATED_BLOCK BLOCK",
                    "CANCEL_BLOCK <-");

    /** 6.1 and 6.13: v4.13 plus QUIESCE->BLOCK and OFFLINE->BLOCK. */
    private static final List<String> K61 =
            List.of(
                    "CREATED <- CREATED_BLOCK",
                    "RUNNING <- CREATED OFFLINE TRANSPORT_OFFLINE QUIESCE BLOCK",
                    "QUIESCE <- RUNNING OFFLINE TRANSPORT_OFFLINE",
                    "OFFLINE <- CREATED RUNNING QUIESCE BLOCK",
                    "TRANSPORT_OFFLINE <- CREATED RUNNING QUIESCE BLOCK",
                    "BLOCK <- RUNNING CREATED_BLOCK QUIESCE OFFLINE",
                    "CREATED_BLOCK <- CREATED",
                    "CANCEL <- CREATED RUNNING QUIESCE OFFLINE TRANSPORT_OFFLINE",
                    "DEL <- CREATED RUNNING OFFLINE TRANSPORT_OFFLINE CANCEL CREATED_BLOCK BLOCK",
                    "CANCEL_BLOCK <-");

    /**
     * James's CANCEL_BLOCK on the v4.11 table: CANCEL -> CANCEL_BLOCK (the visible hunk of his
     * diff), and, reconstructed, BLOCK -> CANCEL_BLOCK -> CANCEL or DEL.
     */
    private static final List<String> CANCEL_BLOCK =
            List.of(
                    "CREATED <- CREATED_BLOCK",
                    "RUNNING <- CREATED OFFLINE TRANSPORT_OFFLINE QUIESCE BLOCK",
                    "QUIESCE <- RUNNING OFFLINE TRANSPORT_OFFLINE",
                    "OFFLINE <- CREATED RUNNING QUIESCE BLOCK",
                    "TRANSPORT_OFFLINE <- CREATED RUNNING QUIESCE BLOCK",
                    "BLOCK <- RUNNING CREATED_BLOCK",
                    "CREATED_BLOCK <- CREATED",
                    "CANCEL <- CREATED RUNNING QUIESCE OFFLINE TRANSPORT_OFFLINE CANCEL_BLOCK",
                    "DEL <- CREATED RUNNING OFFLINE TRANSPORT_OFFLINE CANCEL CREATED_BLOCK CANCEL_BLOCK",
                    "CANCEL_BLOCK <- BLOCK CANCEL");

    private static Map<DeviceState, Set<DeviceState>> parse(List<String> rows) {
        Map<DeviceState, Set<DeviceState>> m = new TreeMap<>();
        for (String row : rows) {
            String[] sides = row.split("<-", -1);
            Set<DeviceState> from = EnumSet.noneOf(DeviceState.class);
            for (String s : sides[1].trim().split("\\s+")) {
                if (!s.isEmpty()) {
                    from.add(DeviceState.valueOf(s));
                }
            }
            m.put(DeviceState.valueOf(sides[0].trim()), from);
        }
        assertEquals(DeviceState.values().length, m.size(), "every state has a row");
        return m;
    }

    private static List<String> expected(Policy p) {
        return switch (p) {
            case V4_11, BART -> K411;
            case V4_13 -> K413;
            case CURRENT -> K61;
            case CANCEL_BLOCK_STATE, CANCEL_BLOCK_DROP_SYNC -> CANCEL_BLOCK;
        };
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Policy.class)
    void everyCellOfTheTableIsLegalOrIllegalAsTheModelledKernelSays(Policy policy) {
        Map<DeviceState, Set<DeviceState>> table = parse(expected(policy));
        List<String> wrong = new ArrayList<>();
        for (DeviceState to : DeviceState.values()) {
            for (DeviceState from : DeviceState.values()) {
                boolean legal = from == to || table.get(to).contains(from);
                if (policy.allows(from, to) != legal) {
                    wrong.add(from + "->" + to + " should be " + (legal ? "legal" : "illegal"));
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void theUpstreamFixIsExactlyBlockToDelInsteadOfBlockToCancel() {
        assertEquals(true, Policy.V4_11.allows(DeviceState.BLOCK, DeviceState.CANCEL));
        assertEquals(false, Policy.V4_11.allows(DeviceState.BLOCK, DeviceState.DEL));
        assertEquals(false, Policy.V4_13.allows(DeviceState.BLOCK, DeviceState.CANCEL));
        assertEquals(true, Policy.V4_13.allows(DeviceState.BLOCK, DeviceState.DEL));
    }

    @Test
    void sysfsStringsAndMultipathViewsFollowTheReference() {
        assertEquals("transport-offline", DeviceState.TRANSPORT_OFFLINE.sysfs());
        assertEquals("deleted", DeviceState.DEL.sysfs());
        assertEquals("blocked", DeviceState.CANCEL_BLOCK.sysfs(), "James's state shows as blocked");
        assertEquals(
                MultipathView.PATH_PENDING, MultipathView.of(DeviceState.CANCEL_BLOCK.sysfs()));
        assertEquals(MultipathView.PATH_DOWN, MultipathView.of("cancel"));
        assertEquals(MultipathView.PATH_DOWN, MultipathView.of("transport-offline"));
        assertEquals(MultipathView.PATH_UP, MultipathView.of("running"));
        assertEquals(MultipathView.PATH_PENDING, MultipathView.of("quiesce"));
        assertEquals(MultipathView.PATH_REMOVED, MultipathView.of(null));
    }

    @Test
    void policiesParseFromTheirLabelsAndABadOneIsExplained() {
        assertEquals(Policy.CANCEL_BLOCK_DROP_SYNC, Policy.parse("cancel-block-drop-sync"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Policy.parse("v5"));
        assertEquals(true, e.getMessage().contains("use v4.11, bart"));
    }
}
