package org.iscsilab.core.spc;

import static org.iscsilab.core.ScsiTestSupport.assertSense;
import static org.iscsilab.core.ScsiTestSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.iscsilab.core.ScsiTargetDevice;
import org.iscsilab.core.ScsiTestSupport;
import org.iscsilab.core.alua.AccessState;
import org.iscsilab.core.alua.Alua;
import org.iscsilab.core.alua.TargetPortGroup;
import org.iscsilab.core.alua.TpgsMode;
import org.iscsilab.core.fault.FaultSpec;
import org.iscsilab.core.fault.ScsiFaultAction;
import org.iscsilab.core.fault.ScsiFaultActions;
import org.iscsilab.core.lu.ScsiOutcome;
import org.iscsilab.core.nexus.ItNexus;
import org.iscsilab.scsi.AdditionalSense;
import org.iscsilab.scsi.Cdb;
import org.iscsilab.scsi.ScsiStatus;
import org.iscsilab.scsi.SenseKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ALUA over the wire's view of a target device (SPC-5 §5.16): two target port groups, group 1 with
 * port 1 and group 2 with port 2, each reached by one initiator; INQUIRY's TPGS and designators,
 * REPORT and SET TARGET PORT GROUPS, the commands each state admits and the unit attentions.
 */
class TargetPortGroupsTest {
    private static final ItNexus VIA_1 = new ItNexus("iqn.i:a,i,0x00023d000001", "iqn.t,t,0x1");
    private static final ItNexus VIA_2 = new ItNexus("iqn.i:a,i,0x00023d000001", "iqn.t,t,0x2");
    private static final ItNexus OTHER_VIA_1 =
            new ItNexus("iqn.i:b,i,0x00023d000002", "iqn.t,t,0x1");

    private static final Cdb TUR = Cdb.of(0, 0, 0, 0, 0, 0);
    private static final Cdb READ_10 = Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0);

    private ScsiTargetDevice device;
    private Alua alua;

    @BeforeEach
    void setUp() {
        device = ScsiTestSupport.ramDevice("iqn.t", 2);
        alua = device.alua();
        alua.configure(
                TpgsMode.BOTH,
                List.of(
                        TargetPortGroup.of(1, List.of(1), AccessState.ACTIVE_OPTIMIZED),
                        TargetPortGroup.of(2, List.of(2), AccessState.ACTIVE_NON_OPTIMIZED)),
                5);
        for (ItNexus n : new ItNexus[] {VIA_1, VIA_2, OTHER_VIA_1}) {
            for (int lun = 0; lun < 2; lun++) {
                run(n, lun, TUR, null); // the power-on unit attention
            }
        }
    }

    @AfterEach
    void tearDown() {
        device.close();
    }

    private ScsiOutcome run(ItNexus n, int lun, Cdb cdb, byte[] dataOut) {
        return ScsiTestSupport.run(
                device, n, lun, cdb, dataOut == null ? 4096 : dataOut.length, dataOut);
    }

    private static Cdb rtpg(boolean extended, int allocation) {
        return Cdb.of(
                0xA3,
                (extended ? 0x20 : 0) | 0x0A,
                0,
                0,
                0,
                0,
                allocation >>> 24,
                allocation >>> 16,
                allocation >>> 8,
                allocation,
                0,
                0);
    }

    private ScsiOutcome stpg(ItNexus n, int[]... groupAndState) {
        ByteBuffer list = ByteBuffer.allocate(4 + 4 * groupAndState.length);
        list.putInt(0);
        for (int[] gs : groupAndState) {
            list.put((byte) gs[1]).put((byte) 0).putShort((short) gs[0]);
        }
        return stpgList(n, list.array());
    }

    private ScsiOutcome stpgList(ItNexus n, byte[] list) {
        int len = list.length;
        return run(
                n,
                0,
                Cdb.of(0xA4, 0x0A, 0, 0, 0, 0, len >>> 24, len >>> 16, len >>> 8, len, 0, 0),
                list);
    }

    @Test
    void inquiryReportsTpgsAndTheDesignatorsOfThePortItCameThrough() {
        byte[] std = bytes(run(VIA_2, 0, Cdb.of(0x12, 0, 0, 0, 255, 0), null));
        assertEquals(0b11, (std[5] >> 4) & 3, "TPGS: implicit and explicit");
        byte[] vpd = bytes(run(VIA_2, 0, Cdb.of(0x12, 1, 0x83, 0, 255, 0), null));
        assertEquals(List.of(2), designator(vpd, 4), "relative target port 2");
        assertEquals(List.of(2), designator(vpd, 5), "target port group 2");
    }

    /** The values of the target-port-associated designators of one type in a VPD 83h page. */
    private static List<Integer> designator(byte[] page, int type) {
        List<Integer> out = new ArrayList<>();
        for (int at = 4; at + 4 <= page.length; at += 4 + (page[at + 3] & 0xFF)) {
            if ((page[at + 1] & 0x0F) == type && ((page[at + 1] >> 4) & 3) == 1) {
                out.add(((page[at + 6] & 0xFF) << 8) | (page[at + 7] & 0xFF));
            }
        }
        return out;
    }

    @Test
    void reportTargetPortGroupsDescribesEveryGroupInBothFormats() {
        ByteBuffer ext = ByteBuffer.wrap(bytes(run(VIA_1, 0, rtpg(true, 4096), null)));
        assertEquals(ext.capacity() - 4, ext.getInt(0), "RETURN DATA LENGTH: after itself");
        assertEquals(0x10, ext.get(4), "FORMAT TYPE 001b");
        assertEquals(5, ext.get(5), "IMPLICIT TRANSITION TIME");
        // group 1: active/optimized, all states supported but LBA-dependent, one port
        assertEquals(AccessState.ACTIVE_OPTIMIZED.code(), ext.get(8) & 0x0F);
        assertEquals((byte) 0xCF, ext.get(9));
        assertEquals(1, ext.getShort(10));
        assertEquals(1, ext.get(15), "TARGET PORT COUNT");
        assertEquals(1, ext.getShort(18), "relative target port 1");
        assertEquals(AccessState.ACTIVE_NON_OPTIMIZED.code(), ext.get(20) & 0x0F);
        assertEquals(2, ext.getShort(22));
        assertEquals(2, ext.getShort(30));
        ByteBuffer plain = ByteBuffer.wrap(bytes(run(VIA_1, 0, rtpg(false, 4096), null)));
        assertEquals(plain.capacity() - 4, plain.getInt(0));
        assertEquals(ext.capacity() - 4, plain.capacity(), "the same descriptors, 4 bytes less");
        assertEquals(AccessState.ACTIVE_OPTIMIZED.code(), plain.get(4) & 0x0F);
        // a short allocation length truncates (SPC-5 §4.2.5.6) and the length still counts all
        ByteBuffer shortly = ByteBuffer.wrap(bytes(run(VIA_1, 0, rtpg(true, 10), null)));
        assertEquals(10, shortly.capacity());
        assertEquals(ext.capacity() - 4, shortly.getInt(0));
        assertSense(
                run(VIA_1, 0, Cdb.of(0xA3, 0x4A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0), null),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_FIELD_IN_CDB);
    }

    @Test
    void eachStateAdmitsItsCommandsAndRefusesTheOthersWithItsSense() {
        Object[][] cases = {
            {AccessState.ACTIVE_NON_OPTIMIZED, null},
            {AccessState.STANDBY, AdditionalSense.TARGET_PORT_IN_STANDBY_STATE},
            {AccessState.UNAVAILABLE, AdditionalSense.TARGET_PORT_IN_UNAVAILABLE_STATE},
            {AccessState.TRANSITIONING, AdditionalSense.ASYMMETRIC_ACCESS_STATE_TRANSITION},
            {AccessState.OFFLINE, AdditionalSense.LOGICAL_UNIT_NOT_READY_OFFLINE}
        };
        for (Object[] c : cases) {
            AccessState state = (AccessState) c[0];
            AdditionalSense refusal = (AdditionalSense) c[1];
            alua.setState(2, state, "test");
            run(VIA_2, 0, TUR, null); // takes the unit attention (reported before the state)
            ScsiOutcome read = run(VIA_2, 0, READ_10, null);
            if (refusal == null) {
                assertEquals(ScsiStatus.GOOD, read.status(), state.label());
            } else {
                assertSense(read, SenseKey.NOT_READY, refusal);
            }
            boolean reachable = state != AccessState.OFFLINE;
            assertEquals(
                    reachable,
                    run(VIA_2, 0, Cdb.of(0x12, 0, 0, 0, 36, 0), null).status() == ScsiStatus.GOOD,
                    "INQUIRY in " + state);
            assertEquals(
                    reachable,
                    run(VIA_2, 0, rtpg(true, 4096), null).status() == ScsiStatus.GOOD,
                    "REPORT TARGET PORT GROUPS in " + state);
            ScsiOutcome modeSense = run(VIA_2, 0, Cdb.of(0x1A, 0, 0x3F, 0, 255, 0), null);
            assertEquals(
                    state == AccessState.ACTIVE_NON_OPTIMIZED || state == AccessState.STANDBY,
                    modeSense.status() == ScsiStatus.GOOD,
                    "MODE SENSE in " + state);
            // the other port's group is untouched (once its unit attention is taken)
            run(VIA_1, 0, TUR, null);
            assertEquals(ScsiStatus.GOOD, run(VIA_1, 0, READ_10, null).status());
        }
    }

    /** A port no group names, and no default group: offline, though every group is active. */
    @Test
    void aPortInNoGroupIsOfflineEvenWhenEveryGroupIsActive() {
        alua.configure(
                TpgsMode.BOTH,
                List.of(TargetPortGroup.of(1, List.of(1), AccessState.ACTIVE_OPTIMIZED)),
                0);
        assertEquals(ScsiStatus.GOOD, run(VIA_1, 0, READ_10, null).status());
        assertSense(
                run(VIA_2, 0, READ_10, null),
                SenseKey.NOT_READY,
                AdditionalSense.LOGICAL_UNIT_NOT_READY_OFFLINE);
    }

    @Test
    void requestSenseReportsTheStateOfAnInaccessiblePort() {
        alua.setState(2, AccessState.STANDBY, "test");
        byte[] ua = bytes(run(VIA_2, 0, Cdb.of(0x03, 0, 0, 0, 18, 0), null));
        assertEquals(0x06, ua[2] & 0x0F, "the unit attention comes first");
        assertEquals(0x2A, ua[12]);
        assertEquals(0x06, ua[13]);
        byte[] sense = bytes(run(VIA_2, 0, Cdb.of(0x03, 0, 0, 0, 18, 0), null));
        assertEquals(SenseKey.NOT_READY.code(), sense[2] & 0x0F);
        assertEquals(0x04, sense[12]);
        assertEquals(0x0B, sense[13]);
    }

    @Test
    void anImplicitChangeTellsEveryNexusOfEveryLogicalUnit() {
        alua.setState(1, AccessState.STANDBY, "test");
        for (ItNexus n : new ItNexus[] {VIA_1, VIA_2, OTHER_VIA_1}) {
            for (int lun = 0; lun < 2; lun++) {
                assertSense(
                        run(n, lun, Cdb.of(0x00, 0, 0, 0, 0, 0), null),
                        SenseKey.UNIT_ATTENTION,
                        AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED);
            }
        }
        byte[] r = bytes(run(VIA_2, 0, rtpg(false, 4096), null));
        assertEquals(AccessState.STANDBY.code(), r[4] & 0x0F);
        assertEquals(TargetPortGroup.STATUS_IMPLICIT, r[9], "STATUS CODE: implicit");
    }

    @Test
    void setTargetPortGroupsChangesStatesAndTellsEveryNexusButTheRequester() {
        ScsiOutcome o =
                stpg(
                        VIA_2,
                        new int[] {1, AccessState.STANDBY.code()},
                        new int[] {2, AccessState.ACTIVE_OPTIMIZED.code()});
        assertEquals(ScsiStatus.GOOD, o.status(), () -> String.valueOf(o.sense()));
        assertEquals(AccessState.STANDBY, alua.group(1).state());
        assertEquals(AccessState.ACTIVE_OPTIMIZED, alua.group(2).state());
        assertEquals(TargetPortGroup.STATUS_EXPLICIT, alua.group(2).statusCode());
        assertEquals(ScsiStatus.GOOD, run(VIA_2, 0, READ_10, null).status(), "no UA for it");
        assertSense(
                run(OTHER_VIA_1, 1, TUR, null),
                SenseKey.UNIT_ATTENTION,
                AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertSense(
                run(VIA_1, 0, TUR, null),
                SenseKey.UNIT_ATTENTION,
                AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertSense(
                run(VIA_1, 0, TUR, null),
                SenseKey.NOT_READY,
                AdditionalSense.TARGET_PORT_IN_STANDBY_STATE);
    }

    @Test
    void setTargetPortGroupsRefusesABadListWholeAndChangesNothing() {
        Object[][] bad = {
            {new int[][] {{1, AccessState.TRANSITIONING.code()}}, 4},
            {new int[][] {{1, AccessState.OFFLINE.code()}}, 4},
            {new int[][] {{1, 0x5}}, 4},
            {new int[][] {{2, AccessState.STANDBY.code()}, {9, 0}}, 10},
            {new int[][] {{2, AccessState.STANDBY.code()}, {2, 0}}, 10}
        };
        for (Object[] b : bad) {
            ScsiOutcome o = stpg(VIA_1, (int[][]) b[0]);
            assertSense(
                    o, SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST);
            assertEquals((int) b[1], o.sense().fieldPointer().byteOffset());
            assertEquals(AccessState.ACTIVE_OPTIMIZED, alua.group(1).state());
            assertEquals(AccessState.ACTIVE_NON_OPTIMIZED, alua.group(2).state());
        }
        assertSense(
                stpgList(VIA_1, new byte[6]),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.PARAMETER_LIST_LENGTH_ERROR);
        assertEquals(ScsiStatus.GOOD, stpgList(VIA_1, new byte[0]).status(), "zero: nothing");
        assertEquals(ScsiStatus.GOOD, run(VIA_1, 0, READ_10, null).status(), "and no UA");
    }

    @Test
    void withoutExplicitAluaSetTargetPortGroupsIsNotACommandAndIsNotListed() {
        alua.configure(
                TpgsMode.IMPLICIT,
                List.of(TargetPortGroup.of(1, List.of(), AccessState.STANDBY)),
                0);
        assertSense(
                stpg(VIA_1, new int[] {1, 0}),
                SenseKey.ILLEGAL_REQUEST,
                AdditionalSense.INVALID_COMMAND_OPERATION_CODE);
        ByteBuffer all =
                ByteBuffer.wrap(
                        bytes(
                                run(
                                        VIA_1,
                                        0,
                                        Cdb.of(0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0),
                                        null)));
        boolean listed = false;
        for (int at = 4; at + 8 <= all.capacity(); at += 8) {
            listed |= (all.get(at) & 0xFF) == 0xA4;
        }
        assertFalse(listed, "REPORT SUPPORTED OPERATION CODES leaves it out");
        // the default group, without ports of its own, lists the requester's port
        ByteBuffer r = ByteBuffer.wrap(bytes(run(VIA_2, 0, rtpg(false, 4096), null)));
        assertEquals(1, r.get(11), "one port");
        assertEquals(2, r.getShort(14));
    }

    @Test
    void aTimedTransitionEndsInItsStateOrFailsBackWithItsOwnUnitAttention() throws Exception {
        alua.transition(2, AccessState.STANDBY, Duration.ofMillis(100), false);
        assertSense(
                run(VIA_2, 0, TUR, null),
                SenseKey.UNIT_ATTENTION,
                AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertSense(
                run(VIA_2, 0, READ_10, null),
                SenseKey.NOT_READY,
                AdditionalSense.ASYMMETRIC_ACCESS_STATE_TRANSITION);
        awaitState(2, AccessState.STANDBY);
        assertSense(
                run(VIA_2, 0, READ_10, null),
                SenseKey.UNIT_ATTENTION,
                AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED);

        alua.transition(2, AccessState.ACTIVE_OPTIMIZED, Duration.ofMillis(100), true);
        run(VIA_2, 0, TUR, null); // the transition's unit attention
        awaitState(2, AccessState.STANDBY);
        assertSense(
                run(VIA_2, 0, READ_10, null),
                SenseKey.UNIT_ATTENTION,
                AdditionalSense.IMPLICIT_ASYMMETRIC_ACCESS_STATE_TRANSITION_FAILED);
    }

    /** A fault rule scripts "path 2 goes unavailable after three writes". */
    @Test
    void aFaultRuleChangesAGroupsStateAndTheCommandMeetsIt() {
        ScsiFaultAction unavailable =
                (ScsiFaultAction)
                        FaultSpec.parse(
                                        "alua,group=2,state=unavailable",
                                        List.of(ScsiFaultActions.INSTANCE))
                                .action();
        ScsiOutcome fired =
                device.execute(ScsiTestSupport.task(VIA_2, 0, READ_10, 512, null), unavailable)
                        .join();
        assertSense(
                fired, SenseKey.UNIT_ATTENTION, AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED);
        assertEquals(AccessState.UNAVAILABLE, alua.group(2).state());
        assertSense(
                run(VIA_2, 0, READ_10, null),
                SenseKey.NOT_READY,
                AdditionalSense.TARGET_PORT_IN_UNAVAILABLE_STATE);
    }

    private void awaitState(int group, AccessState state) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (alua.group(group).state() != state) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("group " + group + " never reached " + state);
            }
            Thread.sleep(5);
        }
    }
}
